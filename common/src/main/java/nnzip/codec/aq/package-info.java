/**
 * Shared additive quantization (AQ; Babenko &amp; Lempitsky 2014, AQLM 2024): subvectors of d
 * weights are coded as the sum of one codeword from each of M codebooks of K = 2^b codewords,
 * M·b/d bits per weight. Pure numerics: no Spark, no I/O.
 *
 * <p>Flow: {@link nnzip.codec.aq.ResidualKMeans} (initial {@link nnzip.codec.aq.Codebooks}) →
 * rounds of {@link nnzip.codec.aq.BeamEncoder} (codes) → {@link nnzip.codec.aq.NormalEquations}
 * ({@code add} per shard, {@code merge}) → {@link nnzip.codec.aq.LeastSquares#solve} (new
 * codebooks). {@link nnzip.codec.aq.AdditiveQuantizerTrainer} runs the loop on one machine and
 * returns an {@link nnzip.codec.aq.AdditiveQuantizer}; the Spark job distributes the encode and
 * the sums. Decoding is {@link nnzip.codec.aq.Codebooks#decode(int[], float[])} everywhere.
 */
package nnzip.codec.aq;
