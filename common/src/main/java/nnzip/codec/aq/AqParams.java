package nnzip.codec.aq;

/**
 * Parameters of shared additive quantization: subvectors of {@code dim} weights are coded as the
 * sum of one codeword from each of {@code codebooks} codebooks of K = 2^codebookBits codewords.
 *
 * @param dim subvector length d: 4, 8 or 16
 * @param codebooks number of codebooks M, 1..8 (default 2)
 * @param codebookBits bits per code b, 1..16, K = 2^b codewords per codebook (default 8)
 * @param beam beam width B of the encoder, ≥ 1 (default 8)
 * @param iterations rounds of encode → least squares after initialization, ≥ 0 (default 10)
 * @param lambda proximal ridge weight of the codebook update, finite and ≥ 0 (default 0; see
 *     {@link LeastSquares})
 * @param seed seed of every random choice (k-means++ and sampling); any value (default 0)
 */
public record AqParams(
    int dim, int codebooks, int codebookBits, int beam, int iterations, double lambda, long seed)
    implements java.io.Serializable {
  /** Default M. */
  public static final int DEFAULT_CODEBOOKS = 2;
  /** Default b. */
  public static final int DEFAULT_CODEBOOK_BITS = 8;
  /** Default B. */
  public static final int DEFAULT_BEAM = 8;
  /** Default number of rounds. */
  public static final int DEFAULT_ITERATIONS = 10;

  public AqParams {
    if (dim != 4 && dim != 8 && dim != 16) {
      throw new IllegalArgumentException("aq dim must be 4, 8 or 16, got " + dim);
    }
    if (codebooks < 1 || codebooks > 8) {
      throw new IllegalArgumentException("aq codebooks must be in 1..8, got " + codebooks);
    }
    if (codebookBits < 1 || codebookBits > 16) {
      throw new IllegalArgumentException("aq codebookBits must be in 1..16, got " + codebookBits);
    }
    if (beam < 1) {
      throw new IllegalArgumentException("aq beam must be ≥ 1, got " + beam);
    }
    if (iterations < 0) {
      throw new IllegalArgumentException("aq iterations must be ≥ 0, got " + iterations);
    }
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("aq lambda must be finite and ≥ 0, got " + lambda);
    }
  }

  /** Defaults for everything but the shape: beam 8, 10 rounds, λ = 0, seed 0. */
  public static AqParams of(int dim, int codebooks, int codebookBits) {
    return new AqParams(dim, codebooks, codebookBits, DEFAULT_BEAM, DEFAULT_ITERATIONS, 0, 0);
  }

  /** Codewords per codebook, K = 2^b. */
  public int codewords() {
    return 1 << codebookBits;
  }

  /** Code bits per weight, M·b/d (the codebooks themselves not counted). */
  public double bitsPerWeight() {
    return (double) codebooks * codebookBits / dim;
  }

  /** These parameters with another seed. */
  public AqParams withSeed(long newSeed) {
    return new AqParams(dim, codebooks, codebookBits, beam, iterations, lambda, newSeed);
  }
}
