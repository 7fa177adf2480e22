/**
 * Optimal 1-D (scalar) quantization: the exact k-level least-squares partition of sorted weighted
 * points by dynamic programming (Ckmeans.1d.dp; Wang &amp; Song 2011, Song &amp; Zhong 2020),
 * mergeable histograms that reduce 10^8 weights to at most 65,536 weighted points first, and the
 * resulting {@link nnzip.codec.dp.Codebook} (nearest-level encode, decode, fp16 lookup table).
 * Pure numerics: no Spark, no I/O.
 */
package nnzip.codec.dp;
