/** Mergeable statistics of tensors and of their reconstruction error. */
package nnzip.stats;
