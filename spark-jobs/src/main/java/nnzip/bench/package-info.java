/** End-to-end benchmarks that write JSON; figures are ratios against a baseline run alongside. */
package nnzip.bench;
