/** The nnzip command line: compress, decompress, inspect, demo and bench. */
package nnzip.cli;
