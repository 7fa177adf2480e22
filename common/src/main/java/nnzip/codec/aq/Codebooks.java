package nnzip.codec.aq;

import java.io.Serializable;
import java.util.Arrays;

/**
 * M codebooks of K codewords of d floats; a code tuple (b_1..b_M) stands for Σ_m C_m[b_m].
 * {@link #decode(int[], float[])} is the one decode of an additive code used by every trainer,
 * encoder and reader. Immutable; stored as one array of M × K × d floats, row-major.
 */
public final class Codebooks implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int m;
  private final int k;
  private final int d;
  private final float[] values;

  private Codebooks(int m, int k, int d, float[] values) {
    this.m = m;
    this.k = k;
    this.d = d;
    this.values = values;
  }

  /**
   * Codebooks of the given values.
   *
   * @param values codeword t of codeword j of codebook c at {@code (c·K + j)·d + t}, length
   *     M·K·d, finite; copied
   * @throws IllegalArgumentException if a size is &lt; 1, the length is not M·K·d or a value is
   *     not finite
   */
  public static Codebooks of(int m, int k, int d, float[] values) {
    if (m < 1 || k < 1 || d < 1) {
      throw new IllegalArgumentException("codebooks need M, K, d ≥ 1, got " + m + ", " + k + ", " + d);
    }
    int size = Math.multiplyExact(Math.multiplyExact(m, k), d);
    if (values.length != size) {
      throw new IllegalArgumentException("M·K·d = " + size + " but " + values.length + " values");
    }
    for (int i = 0; i < size; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException("codebook value " + i + " is " + values[i]);
      }
    }
    return new Codebooks(m, k, d, values.clone());
  }

  /** Number of codebooks M. */
  public int codebooks() {
    return m;
  }

  /** Codewords per codebook K. */
  public int codewords() {
    return k;
  }

  /** Subvector length d. */
  public int dim() {
    return d;
  }

  /** All values, a copy of length M·K·d (layout as in {@link #of}). */
  public float[] values() {
    return values.clone();
  }

  /** Value t of codeword j of codebook c (no copy). */
  public float value(int c, int j, int t) {
    return values[(c * k + j) * d + t];
  }

  /** Package-private view of the values, not to be modified. */
  float[] raw() {
    return values;
  }

  /**
   * Writes Σ_m C_m[codes[m]] into out[0..d), summing codebooks in order 0..M−1 in float.
   *
   * @param codes length ≥ M, codes[m] in 0..K−1
   * @param out length ≥ d
   * @throws IndexOutOfBoundsException if a code is out of range or an array too short
   */
  public void decode(int[] codes, float[] out) {
    decode(codes, 0, out, 0);
  }

  /**
   * Decodes n code tuples: tuple i at codes[i·M ..), vector i into out[i·d ..).
   *
   * @param codes length ≥ n·M
   * @param out length ≥ n·d
   * @throws IllegalArgumentException if n &lt; 0 or an array is shorter than n tuples or vectors
   * @throws IndexOutOfBoundsException if a code is out of range
   */
  public void decode(int[] codes, int n, float[] out) {
    if (n < 0 || codes.length / m < n || out.length / d < n) {
      throw new IllegalArgumentException("n = " + n + " but " + codes.length + " codes (M = " + m
          + ") and " + out.length + " outputs (d = " + d + ")");
    }
    for (int i = 0; i < n; i++) {
      decode(codes, i * m, out, i * d);
    }
  }

  private void decode(int[] codes, int codeOffset, float[] out, int outOffset) {
    Arrays.fill(out, outOffset, outOffset + d, 0f);
    for (int c = 0; c < m; c++) {
      int j = codes[codeOffset + c];
      if (j < 0 || j >= k) {
        throw new IndexOutOfBoundsException("code " + j + " of codebook " + c + " outside 0.." + (k - 1));
      }
      int base = (c * k + j) * d;
      for (int t = 0; t < d; t++) {
        out[outOffset + t] += values[base + t];
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Codebooks c && c.m == m && c.k == k && c.d == d
        && Arrays.equals(values, c.values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * m + k) + d) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Codebooks[M=" + m + ", K=" + k + ", d=" + d + "]";
  }
}
