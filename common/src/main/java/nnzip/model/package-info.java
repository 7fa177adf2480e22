/** Reference architectures nnzip trains itself, written as standard ONNX so any runtime can run them. */
package nnzip.model;
