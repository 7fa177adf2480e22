package nnzip.codec.dp;

/**
 * The hot kernel of {@link OptimalQuantizer1D}: one row of the k-clustering recurrence by divide
 * and conquer over the monotone argmin (the cluster cost satisfies the quadrangle inequality, so
 * the optimal start of the last cluster never moves left as the prefix grows, nor as a cluster is
 * added: Knuth–Yao). O(w log w) cost evaluations per row of width w, and far fewer in practice
 * because each entry scans only from the previous row's argmin on (as Ckmeans.1d.dp does): about 8
 * per entry for 65,536 points and k = 256. An early exit on a lower bound (Ckmeans'
 * fill_log_linear) was measured and dropped: it rarely fires within such short ranges and costs a
 * branch per evaluation.
 *
 * <p>Row m (clusters 1..m) is stored in local indices: entry t is the best SSE of points
 * 0 ..= t + m − 1 in m clusters, and its argmin u means the last cluster starts at point u + m − 1
 * and the other m − 1 clusters cover entry u of row m − 1. Ties go to the smallest u.
 */
final class DpRow {
  private final double[] w;
  private final double[] sHi;
  private final double[] sLo;
  private final double[] qHi;
  private final double[] qLo;
  private double[] prev;
  private int[] prevArg;
  private double[] out;
  private int[] arg;
  private int off;
  private int last;

  DpRow(ClusterCost cost) {
    this.w = cost.w;
    this.sHi = cost.sHi;
    this.sLo = cost.sLo;
    this.qHi = cost.qHi;
    this.qLo = cost.qLo;
  }

  /**
   * Row 1: {@code out[t]} = SSE of points 0 ..= t, and {@code arg[t]} = 0, for t in 0..hi.
   *
   * @param out length ≥ hi + 1
   * @param arg length ≥ hi + 1
   */
  void first(double[] out, int[] arg, int hi) {
    for (int t = 0; t <= hi; t++) {
      double sw = w[t + 1];
      double sy = sHi[t + 1] + sLo[t + 1];
      double e = qHi[t + 1] + qLo[t + 1] - sy * sy / sw;
      out[t] = e > 0 ? e : 0;
      arg[t] = 0;
    }
  }

  /**
   * Row m ≥ 2 from row m − 1 over entries 0..hi, where hi is the last entry of the rows.
   *
   * @param prev row m − 1, length ≥ hi + 1
   * @param prevArg argmins of row m − 1, length ≥ hi + 1
   * @param out row m, length ≥ hi + 1
   * @param arg argmins of row m, length ≥ hi + 1
   */
  void next(int m, double[] prev, int[] prevArg, double[] out, int[] arg, int hi) {
    this.prev = prev;
    this.prevArg = prevArg;
    this.out = out;
    this.arg = arg;
    this.off = m - 1;
    this.last = hi;
    fill(0, hi, 0, hi);
    this.prev = null;
    this.prevArg = null;
    this.out = null;
    this.arg = null;
  }

  private void fill(int lo, int hi, int optLo, int optHi) {
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      // Row m − 1's argmin at the same last point (entry mid + 1 there) bounds this one from below.
      int from = Math.max(optLo, prevArg[Math.min(mid + 1, last)] - 1);
      int to = Math.min(mid, optHi);
      from = Math.min(from, to); // the bounds agree in exact arithmetic; never leave no candidate
      int end = mid + off + 1;
      double wi = w[end];
      double si = sHi[end];
      double siLo = sLo[end];
      double qi = qHi[end];
      double qiLo = qLo[end];
      double best = Double.POSITIVE_INFINITY;
      int bestU = to;
      for (int u = to, j = to + off; u >= from; u--, j--) {
        // Same arithmetic as ClusterCost.sse, inlined.
        double sy = (si - sHi[j]) + (siLo - sLo[j]);
        double e = (qi - qHi[j]) + (qiLo - qLo[j]) - sy * sy / (wi - w[j]);
        double v = prev[u] + (e > 0 ? e : 0);
        if (v <= best) {
          best = v;
          bestU = u;
        }
      }
      out[mid] = best;
      arg[mid] = bestU;
      // Recurse into the smaller half, loop on the other: depth stays O(log w).
      if (mid - lo < hi - mid) {
        fill(lo, mid - 1, optLo, bestU);
        lo = mid + 1;
        optLo = bestU;
      } else {
        fill(mid + 1, hi, bestU, optHi);
        hi = mid - 1;
        optHi = bestU;
      }
    }
  }
}
