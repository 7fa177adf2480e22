package nnzip.stats;

import java.io.Serializable;

/**
 * Reconstruction error of a tensor or shard: count, sum of squared errors and the largest
 * absolute error.
 *
 * @param count elements compared
 * @param sumSquaredError Σ (x − x̂)²
 * @param maxAbsError max |x − x̂|
 */
public record ErrorStats(long count, double sumSquaredError, double maxAbsError) implements Serializable {
  public static final ErrorStats EMPTY = new ErrorStats(0, 0, 0);

  /** Error of {@code decoded[0..n)} against {@code original[0..n)}. */
  public static ErrorStats of(float[] original, float[] decoded, int n) {
    double sse = 0;
    double max = 0;
    for (int i = 0; i < n; i++) {
      double d = (double) original[i] - decoded[i];
      sse += d * d;
      max = Math.max(max, Math.abs(d));
    }
    return new ErrorStats(n, sse, max);
  }

  public ErrorStats merge(ErrorStats o) {
    return new ErrorStats(count + o.count, sumSquaredError + o.sumSquaredError, Math.max(maxAbsError, o.maxAbsError));
  }

  public double mse() {
    return count == 0 ? 0 : sumSquaredError / count;
  }

  /** MSE divided by the variance of the original values (0 when the variance is 0 and so is the error). */
  public double relativeMse(double variance) {
    if (variance == 0) {
      return mse() == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return mse() / variance;
  }
}
