/**
 * Hand-written forward and reverse passes for graphs made of dense, convolution, ReLU, max-pool,
 * BatchNorm and global-average-pool layers, chained or joined by residual adds: the fast path of a
 * training step, checked against SameDiff's gradients.
 */
package nnzip.train.chain;
