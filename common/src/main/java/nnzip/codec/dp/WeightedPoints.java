package nnzip.codec.dp;

import java.util.Arrays;

/**
 * Distinct values in ascending order with positive weights (counts), plus a constant sum of squared
 * errors that no partition can remove: the within-bin spread when each point stands for a histogram
 * bin (value = bin mean, weight = bin count). The SSE of any clustering of the original values is
 * this constant plus the weighted SSE of the clustered points, so the optimal partition of the bins
 * is computed on the points alone (Huygens' decomposition).
 */
public final class WeightedPoints {
  private final double[] values;
  private final double[] weights;
  private final double constantSse;

  private WeightedPoints(double[] values, double[] weights, double constantSse) {
    this.values = values;
    this.weights = weights;
    this.constantSse = constantSse;
  }

  /**
   * The distinct values among {@code values[0..n)}, each weighted by its multiplicity (−0 and +0
   * are one value).
   *
   * @param values at least n floats; not changed
   * @throws IllegalArgumentException if n is out of range or a value is NaN or infinite
   */
  public static WeightedPoints of(float[] values, int n) {
    if (n < 0 || n > values.length) {
      throw new IllegalArgumentException("n = " + n + " outside 0.." + values.length);
    }
    float[] sorted = Arrays.copyOf(values, n);
    for (int i = 0; i < n; i++) {
      requireFinite(sorted[i], i);
    }
    Arrays.sort(sorted);
    double[] v = new double[n];
    double[] w = new double[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (m > 0 && sorted[i] == v[m - 1]) {
        w[m - 1]++;
      } else {
        v[m] = sorted[i] == 0f ? 0.0 : sorted[i];
        w[m++] = 1;
      }
    }
    return new WeightedPoints(Arrays.copyOf(v, m), Arrays.copyOf(w, m), 0.0);
  }

  /**
   * Points with the given values and weights, in any order; equal values are combined (weights add,
   * exactly as the union of their bins). Points of weight 0 are dropped.
   *
   * @param values length n, finite
   * @param weights length n, finite and ≥ 0
   * @param constantSse within-bin SSE of all points, finite and ≥ 0
   * @throws IllegalArgumentException if the lengths differ or a number is out of range
   */
  public static WeightedPoints of(double[] values, double[] weights, double constantSse) {
    if (values.length != weights.length) {
      throw new IllegalArgumentException(values.length + " values but " + weights.length + " weights");
    }
    if (!(constantSse >= 0) || Double.isInfinite(constantSse)) {
      throw new IllegalArgumentException("constant SSE must be finite and ≥ 0, got " + constantSse);
    }
    int n = values.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("point " + i + " has non-finite value " + values[i]);
      }
      if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException(
            "point " + i + " has weight " + weights[i] + ", need finite ≥ 0");
      }
      order[i] = i;
    }
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = values[i - 1] <= values[i];
    }
    if (!sorted) {
      Arrays.sort(order, (a, b) -> Double.compare(values[a] + 0.0, values[b] + 0.0));
    }
    double[] v = new double[n];
    double[] w = new double[n];
    int m = 0;
    for (int t = 0; t < n; t++) {
      int i = order[t];
      if (weights[i] == 0) {
        continue;
      }
      if (m > 0 && values[i] == v[m - 1]) {
        w[m - 1] += weights[i];
      } else {
        v[m] = values[i] + 0.0; // −0 → +0
        w[m++] = weights[i];
      }
    }
    return new WeightedPoints(Arrays.copyOf(v, m), Arrays.copyOf(w, m), constantSse);
  }

  /** Number of distinct points n. */
  public int size() {
    return values.length;
  }

  /** Value of point i, 0 ≤ i < n, strictly ascending in i. */
  public double value(int i) {
    return values[i];
  }

  /** Weight of point i, 0 ≤ i < n, > 0. */
  public double weight(int i) {
    return weights[i];
  }

  /** The values, a copy of length n. */
  public double[] values() {
    return values.clone();
  }

  /** The weights, a copy of length n. */
  public double[] weights() {
    return weights.clone();
  }

  /** Within-bin SSE that every partition pays; 0 for points built from raw values. */
  public double constantSse() {
    return constantSse;
  }

  /** Sum of the weights (the number of original values for counts). */
  public double totalWeight() {
    double s = 0;
    for (double w : weights) {
      s += w;
    }
    return s;
  }

  /**
   * SSE of the clustering whose clusters start at {@code boundaries} (each cluster's level being
   * its weighted mean), including {@link #constantSse()}. Two-pass per cluster, so it does not
   * suffer the cancellation of the prefix-sum form.
   *
   * @param boundaries ascending first point of each cluster, boundaries[0] = 0, each &lt; n
   * @throws IllegalArgumentException if the boundaries are not ascending from 0 within 0..n−1
   */
  public double sse(int[] boundaries) {
    double total = constantSse;
    for (int c = 0; c < boundaries.length; c++) {
      int from = boundaries[c];
      int to = c + 1 < boundaries.length ? boundaries[c + 1] : values.length;
      if ((c == 0 && from != 0) || from >= to || to > values.length) {
        throw new IllegalArgumentException("boundaries " + Arrays.toString(boundaries) + " do not split "
            + values.length + " points");
      }
      double mean = mean(from, to);
      for (int i = from; i < to; i++) {
        double d = values[i] - mean;
        total += weights[i] * d * d;
      }
    }
    return total;
  }

  /** Weighted mean of points {@code from .. to−1}, clamped into their value range. */
  double mean(int from, int to) {
    double w = 0;
    double s = 0;
    double shift = values[from];
    for (int i = from; i < to; i++) {
      w += weights[i];
      s += weights[i] * (values[i] - shift);
    }
    double m = shift + s / w;
    return Math.max(values[from], Math.min(values[to - 1], m));
  }

  private static void requireFinite(float v, int index) {
    if (!Float.isFinite(v)) {
      throw new IllegalArgumentException(
          "value " + index + " is " + v + "; only finite values can be quantized");
    }
  }
}
