package nnzip.codec.dp;

/**
 * O(1) weighted SSE of any run of consecutive points, SSE = Σwy² − (Σwy)² / Σw with y = x − shift,
 * from prefix sums of w, w·y and w·y² (Ckmeans.1d.dp's form). Two measures keep it accurate:
 * the shift is the points' weighted mean, and the sums of w·y and w·y² are kept as unevaluated
 * pairs hi + lo (compensated summation), so the difference of two prefixes is accurate to an ulp
 * of the run's own sums rather than of the whole prefix. With plain double prefixes the error was
 * an ulp of Σwy² over all points, which on 10^6 points swamped the cost of short runs and made the
 * DP up to 10^6 times worse than optimal at k near n (see ClusterCostTest). What remains is the
 * cancellation inside one run, relative error about 2^−53·(mean − shift)² / variance of the run.
 */
final class ClusterCost {
  /** Prefix sums over points 0 ..< i at index i, length n + 1; read directly by {@link DpRow}. */
  final double[] w;
  final double[] sHi;
  final double[] sLo;
  final double[] qHi;
  final double[] qLo;

  /** Prefix sums of {@code points} centred on their weighted mean. */
  ClusterCost(WeightedPoints points) {
    this(points, points.size() == 0 ? 0 : points.mean(0, points.size()));
  }

  /** Prefix sums with an explicit shift (for measuring the effect of the shift). */
  ClusterCost(WeightedPoints points, double shift) {
    int n = points.size();
    w = new double[n + 1];
    sHi = new double[n + 1];
    sLo = new double[n + 1];
    qHi = new double[n + 1];
    qLo = new double[n + 1];
    for (int i = 0; i < n; i++) {
      double wi = points.weight(i);
      double y = points.value(i) - shift;
      w[i + 1] = w[i] + wi;
      add(sHi, sLo, i, wi * y);
      add(qHi, qLo, i, wi * y * y);
    }
  }

  /** hi[i+1] + lo[i+1] = hi[i] + lo[i] + v, with hi's rounding error carried in lo (TwoSum). */
  private static void add(double[] hi, double[] lo, int i, double v) {
    double h = hi[i];
    double t = h + v;
    double vv = t - h;
    double err = (h - (t - vv)) + (v - vv);
    hi[i + 1] = t;
    lo[i + 1] = lo[i] + err;
  }

  /** SSE of points {@code from ..= to} (inclusive), 0 ≤ from ≤ to &lt; n, clamped at 0. */
  double sse(int from, int to) {
    double sw = w[to + 1] - w[from];
    double sy = (sHi[to + 1] - sHi[from]) + (sLo[to + 1] - sLo[from]);
    double sq = (qHi[to + 1] - qHi[from]) + (qLo[to + 1] - qLo[from]);
    double e = sq - sy * sy / sw;
    return e > 0 ? e : 0;
  }
}
