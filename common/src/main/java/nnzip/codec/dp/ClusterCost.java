package nnzip.codec.dp;

/**
 * O(1) weighted SSE of any run of consecutive points, SSE = Σwy² − (Σwy)² / Σw with y = x − shift,
 * from prefix sums of w, w·y and w·y² (Ckmeans.1d.dp's form). Two measures keep it accurate:
 * the shift is the points' weighted mean, and the sums of w·y and w·y² are kept as unevaluated
 * pairs hi + lo (compensated summation), so the difference of two prefixes is accurate to an ulp
 * of the run's own sums rather than of the whole prefix. Measured on 10^6 distinct floats against
 * two-pass sums: plain double prefixes erred by up to 4·10^−5 (centred) and 3·10^−3 (not centred,
 * data offset from 0) relative on runs of over 1000 points, and by factors of 35 resp. 10^4 on runs
 * of 2..1000 points, which made the DP 10^3..10^7 times worse than optimal at k near n (absolute
 * errors ~10^−10, so only visible there); centred compensated prefixes err by at most
 * 2·10^−10 on long runs and 2·10^−5 on short ones (ClusterCostTest), and the DP is then exact to
 * the last digit at k = n − 3 on 10^6 points (level limit lifted for the measurement). Costs no
 * measurable time: the DP is bound by the division. What remains is the cancellation inside one
 * run, relative error about 2^−53·(mean − shift)² / variance of the run.
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
