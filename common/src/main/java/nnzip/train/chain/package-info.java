/**
 * Hand-written forward and reverse passes for graphs that are plain chains of dense, convolution,
 * ReLU and max-pool layers: the fast path of a training step, checked against SameDiff's gradients.
 */
package nnzip.train.chain;
