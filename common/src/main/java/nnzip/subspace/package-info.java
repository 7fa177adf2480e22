/**
 * Compressible subspaces (Nunez et al., "LCS: Learning Compressible Subspaces for Adaptive Network
 * Compression at Inference Time"): a line of models w(α) = (1 − α)·w0 + α·w1 trained so that every
 * point, compressed as α says (magnitude sparsity, width or bit width), is a good model; the line
 * is stored once and any point is dialed out of it without retraining.
 */
package nnzip.subspace;
