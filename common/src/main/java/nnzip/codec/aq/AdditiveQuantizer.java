package nnzip.codec.aq;

import java.io.Serializable;

/**
 * A trained additive quantizer: codebooks and the parameters they were trained with. It can only
 * encode (beam search with the parameters' beam) and decode; there is no untrained state.
 * Immutable and thread-safe, so one instance can be broadcast to every executor.
 */
public final class AdditiveQuantizer implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Codebooks codebooks;
  private final AqParams params;
  private transient BeamEncoder encoder;

  /**
   * A quantizer of trained codebooks.
   *
   * @throws IllegalArgumentException if the codebooks' shape does not match the parameters
   */
  public AdditiveQuantizer(Codebooks codebooks, AqParams params) {
    if (codebooks.codebooks() != params.codebooks() || codebooks.codewords() != params.codewords()
        || codebooks.dim() != params.dim()) {
      throw new IllegalArgumentException(codebooks + " do not match " + params);
    }
    this.codebooks = codebooks;
    this.params = params;
  }

  /** The codebooks. */
  public Codebooks codebooks() {
    return codebooks;
  }

  /** The parameters. */
  public AqParams params() {
    return params;
  }

  private BeamEncoder encoder() {
    BeamEncoder e = encoder;
    if (e == null) { // racy but idempotent: every thread builds an equal encoder
      e = new BeamEncoder(codebooks, params.beam());
      encoder = e;
    }
    return e;
  }

  /**
   * Encodes n subvectors; see {@link BeamEncoder#encode(float[], int, int[], double[])}.
   *
   * @return the sum of squared errors
   */
  public double encode(float[] x, int n, int[] codes, double[] errors) {
    return encoder().encode(x, n, codes, errors);
  }

  /** Encodes n subvectors (x of length ≥ n·d) into new arrays. */
  public Encoding encode(float[] x, int n) {
    return encoder().encode(x, n);
  }

  /** Decodes n tuples; see {@link Codebooks#decode(int[], int, float[])}. */
  public void decode(int[] codes, int n, float[] out) {
    codebooks.decode(codes, n, out);
  }
}
