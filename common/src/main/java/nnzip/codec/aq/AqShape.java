package nnzip.codec.aq;

import nnzip.InvalidInputException;
import nnzip.tensor.TensorSpec;

/**
 * An aq tensor's codebook shape as an artifact stores it ({@code [M, K, d]}), checked against its
 * codewords and tensor with exact arithmetic before anything is allocated, so a damaged or hostile
 * artifact ends in one {@link InvalidInputException} line.
 *
 * @param m codebooks M, 1..{@value #MAX_CODEBOOKS}
 * @param k codewords per codebook K = 2^bits
 * @param d subvector dimension, 1..{@value #MAX_DIM}
 * @param subvectors ⌈elements / d⌉
 * @param codes subvectors · M, the codes the tensor holds
 */
public record AqShape(int m, int k, int d, long subvectors, long codes) {
  /** Most aq codebooks M a reader accepts (recipes allow 1..8). */
  public static final int MAX_CODEBOOKS = 64;

  /** Largest aq subvector dimension d a reader accepts (recipes allow 4, 8, 16): bounds decode buffers. */
  public static final int MAX_DIM = 64;

  /**
   * Checks a stored shape parameter.
   *
   * @param shape the stored {@code [M, K, d]}, length 3
   * @param words number of stored codeword values, or -1 where the caller has not read them
   * @param bits the tensor's bits per code, log2 K
   * @param spec the tensor
   * @throws InvalidInputException naming the tensor and both numbers if a value is not a whole
   *     number in its range, K is not 2^bits, M·K·d differs from {@code words}, or the code count
   *     overflows
   */
  public static AqShape check(float[] shape, long words, int bits, TensorSpec spec) {
    String where = "aq tensor '" + spec.name() + "': codebook shape";
    if (shape == null || shape.length != 3) {
      throw new InvalidInputException("aq tensor '" + spec.name() + "' lacks its codebook shape [M, K, d]");
    }
    int m = whole(shape[0], MAX_CODEBOOKS, where + " M");
    if (bits < 1 || bits > 16) {
      throw new InvalidInputException("aq tensor '" + spec.name() + "': " + bits + " bits per code is outside 1..16");
    }
    int k = whole(shape[1], 1 << 16, where + " K");
    int d = whole(shape[2], MAX_DIM, where + " d");
    if (k != 1 << bits) {
      throw new InvalidInputException(where + " K = " + k + " but the tensor has " + bits + "-bit codes (K = "
          + (1 << bits) + ")");
    }
    long values = (long) m * k * d; // ≤ 64 · 2^16 · 64: no overflow
    if (words >= 0 && values != words) {
      throw new InvalidInputException(where + " [" + m + ", " + k + ", " + d + "] needs M·K·d = " + values
          + " codeword values but " + words + " are stored");
    }
    long n = spec.numElements();
    long subvectors = n / d + (n % d == 0 ? 0 : 1);
    long codes;
    try {
      codes = Math.multiplyExact(subvectors, (long) m);
    } catch (ArithmeticException e) {
      throw new InvalidInputException(where + ": " + subvectors + " subvectors × M = " + m + " codes overflow");
    }
    return new AqShape(m, k, d, subvectors, codes);
  }

  private static int whole(float v, int max, String what) {
    if (!(v >= 1 && v <= max) || v != Math.rint(v)) {
      throw new InvalidInputException(what + " = " + v + " is not a whole number in 1.." + max);
    }
    return (int) v;
  }
}
