/**
 * Structured pruning on ONNX graphs, the graph side: {@link nnzip.prune.ChannelGroups} finds the
 * output channels of Conv, Gemm and MatMul layers that can be removed, tied into dependency groups
 * (residual adds, Concat, BatchNormalization, Flatten into a fully connected layer, depthwise Conv)
 * in the manner of Torch-Pruning's DepGraph, and {@link nnzip.prune.ChannelRemoval} writes the
 * model with the chosen channels physically gone from every tensor that touches them. What to keep
 * is decided elsewhere (Dirichlet gates, L1 norms, random).
 */
package nnzip.prune;
