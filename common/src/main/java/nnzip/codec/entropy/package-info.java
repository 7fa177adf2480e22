/**
 * Lossless entropy coding of code-index streams: a binary arithmetic coder with adaptive
 * probabilities and neighbour contexts, for the skewed codes that pruning and quantization leave.
 */
package nnzip.codec.entropy;
