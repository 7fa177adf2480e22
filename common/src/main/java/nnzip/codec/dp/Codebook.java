package nnzip.codec.dp;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A fitted scalar codebook: ascending float levels and the midpoints between neighbours as
 * decision thresholds, so encoding picks the nearest level (a value exactly on a midpoint goes to
 * the upper level). Immutable; thresholds are exact midpoints in double.
 */
public final class Codebook implements Serializable {
  private static final long serialVersionUID = 1L;
  private final float[] levels;
  private final double[] thresholds;
  // Thresholds padded with +Inf to 2^depth − 1 entries, for a branch-free binary search.
  private final double[] padded;
  private final int top;

  private Codebook(float[] levels) {
    this.levels = levels;
    this.thresholds = new double[levels.length - 1];
    for (int i = 0; i < thresholds.length; i++) {
      thresholds[i] = ((double) levels[i] + levels[i + 1]) / 2;
    }
    int size = Integer.highestOneBit(levels.length);
    size = size < levels.length ? size << 1 : size;
    this.padded = Arrays.copyOf(thresholds, size - 1);
    Arrays.fill(padded, thresholds.length, padded.length, Double.POSITIVE_INFINITY);
    this.top = size >>> 1;
  }

  /**
   * A codebook of the given levels.
   *
   * @param levels c ≥ 1 finite values in non-decreasing order; copied
   * @throws IllegalArgumentException if levels is empty, longer than 65,536, not finite or not sorted
   */
  public static Codebook of(float[] levels) {
    if (levels.length == 0 || levels.length > OptimalQuantizer1D.MAX_LEVELS) {
      throw new IllegalArgumentException("a codebook needs 1.." + OptimalQuantizer1D.MAX_LEVELS
          + " levels, got " + levels.length);
    }
    for (int i = 0; i < levels.length; i++) {
      if (!Float.isFinite(levels[i])) {
        throw new IllegalArgumentException("level " + i + " is " + levels[i]);
      }
      if (i > 0 && levels[i] < levels[i - 1]) {
        throw new IllegalArgumentException("levels must be ascending: level " + i + " = " + levels[i]
            + " < level " + (i - 1) + " = " + levels[i - 1]);
      }
    }
    return new Codebook(levels.clone());
  }

  /** Number of levels c. */
  public int size() {
    return levels.length;
  }

  /** The levels, a copy of length c. */
  public float[] levels() {
    return levels.clone();
  }

  /** The decision thresholds t_i = (level_i + level_{i+1}) / 2, a copy of length c − 1. */
  public double[] thresholds() {
    return thresholds.clone();
  }

  /**
   * The code of the nearest level: the smallest i with x &lt; t_i, or c − 1 (also for +Inf);
   * NaN gets 0. Branch-free, ⌈log2 c⌉ steps.
   */
  public int encode(float x) {
    double v = x;
    int code = 0;
    for (int step = top; step > 0; step >>>= 1) {
      code += padded[code + step - 1] <= v ? step : 0;
    }
    return Math.min(code, thresholds.length);
  }

  /**
   * Encodes {@code values[0..n)} into {@code codes[0..n)}.
   *
   * @throws IllegalArgumentException if n exceeds either array's length
   */
  public void encode(float[] values, int n, int[] codes) {
    if (n < 0 || n > values.length || n > codes.length) {
      throw new IllegalArgumentException("n = " + n + " for " + values.length + " values and "
          + codes.length + " codes");
    }
    for (int i = 0; i < n; i++) {
      codes[i] = encode(values[i]);
    }
  }

  /**
   * The level of {@code code}.
   *
   * @throws IndexOutOfBoundsException if code is outside 0..c−1
   */
  public float decode(int code) {
    return levels[code];
  }

  /**
   * The code of every bit pattern of {@code format}, so that encoding half-precision input is one
   * lookup: {@code table[bits & 0xffff]}. ±Inf patterns get the end codes; NaN patterns get −1.
   *
   * @return length 65,536
   */
  public int[] halfTable(HalfFormat format) {
    int[] table = new int[HalfFormat.PATTERNS];
    for (int p = 0; p < table.length; p++) {
      float v = format.value(p);
      table[p] = Float.isNaN(v) ? -1 : encode(v);
    }
    return table;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Codebook c && Arrays.equals(levels, c.levels);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(levels);
  }

  @Override
  public String toString() {
    return "Codebook" + Arrays.toString(levels);
  }
}
