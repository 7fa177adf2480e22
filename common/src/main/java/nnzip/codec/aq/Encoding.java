package nnzip.codec.aq;

/**
 * Codes of n subvectors and their squared errors. The arrays are shared, not copied: an encoding
 * is a working result passed between the encoder and the accumulators.
 *
 * @param codes tuple i at codes[i·M ..), length n·M
 * @param errors ‖x_i − decode(tuple i)‖², length n
 */
public record Encoding(int[] codes, double[] errors) {
  /** Number of subvectors n. */
  public int size() {
    return errors.length;
  }

  /** Σ_i errors[i]. */
  public double totalError() {
    double s = 0;
    for (double e : errors) {
      s += e;
    }
    return s;
  }
}
