/**
 * Shared additive quantization (AQ; Babenko &amp; Lempitsky 2014, AQLM 2024): subvectors of d
 * weights are coded as the sum of one codeword from each of M codebooks of K = 2^b codewords,
 * M·b/d bits per weight. Pure numerics: no Spark, no I/O.
 *
 * <p>Flow: {@link nnzip.codec.aq.ResidualKMeans} (initial {@link nnzip.codec.aq.Codebooks}) →
 * rounds of {@link nnzip.codec.aq.BeamEncoder} (codes) → {@link nnzip.codec.aq.NormalEquations}
 * ({@code add} per shard, {@code merge}) → {@link nnzip.codec.aq.LeastSquares#solve} (new
 * codebooks). {@link nnzip.compress.aq.AqFit} runs that loop once, over shards on Spark executors
 * or in this process; {@link nnzip.codec.aq.AqTensorCoder} is a tensor's fitted form. Decoding is
 * {@link nnzip.codec.aq.Codebooks#decode(int[], int, float[])} everywhere.
 */
package nnzip.codec.aq;
