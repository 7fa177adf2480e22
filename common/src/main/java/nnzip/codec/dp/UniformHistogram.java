package nnzip.codec.dp;

import java.io.Serializable;
import java.util.Arrays;

/**
 * B equal-width bins over a fixed range [min, max], each with the count, sum and sum of squares of
 * its values' offsets from the bin centre. Offsets are kept in fixed point, 2^−16 of a bin width
 * (summed in {@code long}), so adding and merging are exact and any merge order gives identical
 * histograms; rounding moves each value by at most 2^−17 bin widths. Equal widths spend bins on
 * empty tails of heavy-tailed data; {@link HalfHistogram} does not. Mergeable accumulator:
 * {@link #add}, {@link #merge}, {@link #toPoints()}.
 */
public final class UniformHistogram implements Serializable {
  /** Default number of bins, 65,536. */
  public static final int DEFAULT_BINS = 1 << 16;
  /** Largest number of bins, 2^24. */
  public static final int MAX_BINS = 1 << 24;
  private static final long serialVersionUID = 1L;
  private static final double FIXED = 0x1p16;
  private final double min;
  private final double max;
  private final double width;
  private final double inverseWidth;
  private final long[] counts;
  private final long[] sums;
  private final long[] squares;

  /**
   * An empty histogram of {@code bins} bins over [min, max].
   *
   * @throws IllegalArgumentException if min or max is not finite, min &gt; max, or bins is outside
   *     1..{@value #MAX_BINS}
   */
  public UniformHistogram(double min, double max, int bins) {
    if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
      throw new IllegalArgumentException(
          "histogram range [" + min + ", " + max + "] must be finite and ordered");
    }
    if (bins < 1 || bins > MAX_BINS) {
      throw new IllegalArgumentException("bins must be in 1.." + MAX_BINS + ", got " + bins);
    }
    this.min = min;
    this.max = max;
    this.width = (max - min) / bins;
    this.inverseWidth = width > 0 ? 1 / width : 0;
    this.counts = new long[bins];
    this.sums = new long[bins];
    this.squares = new long[bins];
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  /** Number of bins B. */
  public int bins() {
    return counts.length;
  }

  /**
   * Adds {@code values[0..n)}.
   *
   * @throws IllegalArgumentException if n is out of range or a value is NaN or outside [min, max]
   */
  public void add(float[] values, int n) {
    if (n < 0 || n > values.length) {
      throw new IllegalArgumentException("n = " + n + " outside 0.." + values.length);
    }
    int last = counts.length - 1;
    for (int i = 0; i < n; i++) {
      double x = values[i];
      if (!(x >= min && x <= max)) {
        throw new IllegalArgumentException("value " + i + " = " + x + " is outside the histogram range ["
            + min + ", " + max + "]");
      }
      double t = (x - min) * inverseWidth;
      int b = Math.min(last, (int) t);
      long r = (long) Math.rint((t - b - 0.5) * FIXED);
      counts[b]++;
      sums[b] += r;
      squares[b] += r * r;
    }
  }

  /**
   * A new histogram holding the values of both; neither argument changes.
   *
   * @throws IllegalArgumentException if the ranges or bin counts differ
   */
  public UniformHistogram merge(UniformHistogram other) {
    if (other.min != min || other.max != max || other.counts.length != counts.length) {
      throw new IllegalArgumentException("cannot merge histograms of [" + min + ", " + max + "] × "
          + counts.length + " and [" + other.min + ", " + other.max + "] × " + other.counts.length);
    }
    UniformHistogram m = new UniformHistogram(min, max, counts.length);
    for (int b = 0; b < counts.length; b++) {
      m.counts[b] = Math.addExact(counts[b], other.counts[b]);
      m.sums[b] = sums[b] + other.sums[b];
      m.squares[b] = Math.addExact(squares[b], other.squares[b]);
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

  /** One point per non-empty bin (mean, count) in ascending order; within-bin SSE as the constant. */
  public WeightedPoints toPoints() {
    double unit = width / FIXED;
    double[] v = new double[counts.length];
    double[] w = new double[counts.length];
    double within = 0;
    int m = 0;
    for (int b = 0; b < counts.length; b++) {
      long c = counts[b];
      if (c == 0) {
        continue;
      }
      double s = sums[b];
      v[m] = min + (b + 0.5) * width + s / c * unit;
      w[m++] = c;
      within += Math.max(0, (squares[b] - s * (s / c)) * unit * unit);
    }
    return WeightedPoints.of(Arrays.copyOf(v, m), Arrays.copyOf(w, m), within);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UniformHistogram h && h.min == min && h.max == max && Arrays.equals(counts, h.counts)
        && Arrays.equals(sums, h.sums) && Arrays.equals(squares, h.squares);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(counts) + Arrays.hashCode(sums);
  }
}
