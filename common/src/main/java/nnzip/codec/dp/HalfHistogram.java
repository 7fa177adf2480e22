package nnzip.codec.dp;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A histogram with one bin per finite bit pattern of a 16-bit float format: a value goes to the
 * pattern it rounds to. For values that came from F16/BF16 tensors every bin holds one exact value,
 * so the optimal partition of the bins is exactly optimal for the raw values. For F32 values the
 * bins are log-spaced (see {@link HalfFormat}) and each also keeps the count-weighted sum and sum
 * of squares of the residuals x − value(pattern), so bin means and within-bin SSE are those of the
 * actual values.
 *
 * <p>Residuals are integers in units of 2^−shift (see {@link HalfFormat}), summed in {@code long}:
 * adding and merging are exact, so any merge order gives identical histograms. Residuals are exact
 * except in F16 bins below 2^−14, which truncate them to multiples of 2^−38 (a shift of at most
 * 4·10^−12 per value). With |residual| ≤ 2^13 units (F16) or 2^16 (BF16), a bin of off-pattern
 * values holds up to 2^37 − 1 resp. 2^31 − 1 values before its sum of squares could overflow;
 * {@link #merge} and {@link #toPoints()} throw beyond that.
 * Mergeable accumulator: {@link #add}, {@link #merge}, {@link #toPoints()}.
 */
public final class HalfHistogram implements Serializable {
  private static final long serialVersionUID = 1L;
  private final HalfFormat format;
  private final long[] counts = new long[HalfFormat.PATTERNS];
  // Allocated with the first value that is not exactly on its pattern, so F16/BF16 input stays small.
  private long[] residualSums;
  private long[] residualSquares;

  /** An empty histogram over the patterns of {@code format}. */
  public HalfHistogram(HalfFormat format) {
    this.format = format;
  }

  public HalfFormat format() {
    return format;
  }

  /**
   * Adds {@code values[0..n)}.
   *
   * @throws IllegalArgumentException if n is out of range, a value is NaN or infinite, or (F16) a
   *     finite value is beyond ±65504 so that it rounds to infinity
   */
  public void add(float[] values, int n) {
    checkLength(n, values.length);
    float[] centre = Tables.VALUES[format.ordinal()];
    double[] scale = Tables.SCALES[format.ordinal()];
    int exponentMask = format.exponentMask();
    long[] sums = residualSums;
    long[] squares = residualSquares;
    for (int i = 0; i < n; i++) {
      float x = values[i];
      int p = format.pattern(x);
      if ((p & exponentMask) == exponentMask) {
        throw outOfRange(x, i);
      }
      counts[p]++;
      float d = x - centre[p]; // exact (Sterbenz): x is within half a half-ulp of the centre
      if (d != 0) {
        if (sums == null) {
          residualSums = sums = new long[HalfFormat.PATTERNS];
          residualSquares = squares = new long[HalfFormat.PATTERNS];
        }
        long r = (long) (d * scale[p]); // an integer already, except in F16 bins below 2^-14
        sums[p] += r;
        squares[p] += r * r;
      }
    }
  }

  /**
   * Adds {@code bits[0..n)}, raw patterns of this histogram's format (e.g. the shorts of an F16
   * tensor): lossless, no rounding.
   *
   * @throws IllegalArgumentException if n is out of range or a pattern is NaN or infinite
   */
  public void addBits(short[] bits, int n) {
    checkLength(n, bits.length);
    int exponentMask = format.exponentMask();
    for (int i = 0; i < n; i++) {
      int p = bits[i] & 0xffff;
      if ((p & exponentMask) == exponentMask) {
        throw outOfRange(format.value(p), i);
      }
      counts[p]++;
    }
  }

  /**
   * A new histogram holding the values of both; neither argument changes.
   *
   * @throws IllegalArgumentException if the formats differ
   * @throws ArithmeticException if a bin of off-pattern values exceeds the capacity above
   */
  public HalfHistogram merge(HalfHistogram other) {
    if (other.format != format) {
      throw new IllegalArgumentException("cannot merge " + format + " and " + other.format + " histograms");
    }
    checkCapacity();
    other.checkCapacity();
    HalfHistogram m = new HalfHistogram(format);
    for (int p = 0; p < counts.length; p++) {
      m.counts[p] = Math.addExact(counts[p], other.counts[p]);
    }
    if (residualSums != null || other.residualSums != null) {
      m.residualSums = new long[HalfFormat.PATTERNS];
      m.residualSquares = new long[HalfFormat.PATTERNS];
      for (HalfHistogram h : new HalfHistogram[] {this, other}) {
        if (h.residualSums != null) {
          for (int p = 0; p < counts.length; p++) {
            m.residualSums[p] = Math.addExact(m.residualSums[p], h.residualSums[p]);
            m.residualSquares[p] = Math.addExact(m.residualSquares[p], h.residualSquares[p]);
          }
        }
      }
    }
    return m;
  }

  /** Number of values added. */
  public long count() {
    long c = 0;
    for (long x : counts) {
      c += x;
    }
    return c;
  }

  /** Number of non-empty bins. */
  public int nonEmptyBins() {
    int c = 0;
    for (long x : counts) {
      c += x != 0 ? 1 : 0;
    }
    return c;
  }

  /**
   * One point per non-empty bin, in ascending order: the bin's mean weighted by its count, and the
   * within-bin SSE of all bins as the constant (−0 and +0 bins of equal mean become one point).
   *
   * @throws ArithmeticException if a bin of off-pattern values exceeds the capacity above
   */
  public WeightedPoints toPoints() {
    checkCapacity();
    int[] order = Tables.ORDER[format.ordinal()];
    float[] centre = Tables.VALUES[format.ordinal()];
    double[] scale = Tables.SCALES[format.ordinal()];
    double[] v = new double[order.length];
    double[] w = new double[order.length];
    double within = 0;
    int m = 0;
    for (int p : order) {
      long c = counts[p];
      if (c == 0) {
        continue;
      }
      double mean = centre[p];
      if (residualSums != null && residualSquares[p] != 0) {
        double s = residualSums[p];
        mean += s / c / scale[p];
        double e = (residualSquares[p] - s * (s / c)) / scale[p] / scale[p];
        within += Math.max(0, e);
      }
      v[m] = mean;
      w[m++] = c;
    }
    return WeightedPoints.of(Arrays.copyOf(v, m), Arrays.copyOf(w, m), within);
  }

  /** Same format and identical bins (residual arrays not yet allocated count as zeros). */
  @Override
  public boolean equals(Object o) {
    return o instanceof HalfHistogram h && h.format == format && Arrays.equals(counts, h.counts)
        && Arrays.equals(orZeros(residualSums), orZeros(h.residualSums))
        && Arrays.equals(orZeros(residualSquares), orZeros(h.residualSquares));
  }

  @Override
  public int hashCode() {
    return 31 * format.hashCode() + Arrays.hashCode(counts);
  }

  private static long[] orZeros(long[] a) {
    return a != null ? a : new long[HalfFormat.PATTERNS];
  }

  /** Whether every bin's sum of squared residuals is certainly free of overflow. */
  private void checkCapacity() {
    if (residualSums == null) {
      return;
    }
    long capacity = Long.MAX_VALUE / (format == HalfFormat.F16 ? 1L << 26 : 1L << 32);
    for (int p = 0; p < counts.length; p++) {
      if (counts[p] > capacity && residualSquares[p] != 0) {
        throw new ArithmeticException("histogram bin " + p + " holds " + counts[p]
            + " off-pattern values, more than "
            + capacity + " that its fixed-point sums can be trusted with");
      }
    }
  }

  private IllegalArgumentException outOfRange(float x, int index) {
    if (Float.isFinite(x) && format == HalfFormat.F16) {
      return new IllegalArgumentException("value " + x + " at index " + index
          + " is beyond ±65504, the range of an F16 histogram; use HalfFormat.BF16");
    }
    if (Float.isFinite(x)) {
      return new IllegalArgumentException(
          "value " + x + " at index " + index + " rounds to infinity in BF16");
    }
    return new IllegalArgumentException(
        "value " + index + " is " + x + "; only finite values can be quantized");
  }

  private static void checkLength(int n, int length) {
    if (n < 0 || n > length) {
      throw new IllegalArgumentException("n = " + n + " outside 0.." + length);
    }
  }

  /** Per-format pattern values, residual scales 2^shift and ascending finite patterns. */
  private static final class Tables {
    static final float[][] VALUES = new float[HalfFormat.values().length][HalfFormat.PATTERNS];
    static final double[][] SCALES = new double[HalfFormat.values().length][HalfFormat.PATTERNS];
    static final int[][] ORDER = new int[HalfFormat.values().length][];

    static {
      for (HalfFormat f : HalfFormat.values()) {
        for (int p = 0; p < HalfFormat.PATTERNS; p++) {
          VALUES[f.ordinal()][p] = f.value(p);
          SCALES[f.ordinal()][p] = Math.scalb(1.0, f.residualShift(p));
        }
        ORDER[f.ordinal()] = f.ascendingFinitePatterns();
      }
    }
  }
}
