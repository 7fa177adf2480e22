package nnzip.codec.dp;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Slow, obvious references for the solver: brute force, plain O(k·n²) DP, and Lloyd k-means. */
final class Reference {
  private Reference() {}

  /** Best SSE over every split of the n sorted points into at most k runs (n ≤ ~16). */
  static double bruteForce(WeightedPoints p, int k) {
    int n = p.size();
    double best = Double.POSITIVE_INFINITY;
    for (int mask = 0; mask < 1 << Math.max(0, n - 1); mask++) {
      if (Integer.bitCount(mask) > k - 1) {
        continue;
      }
      int[] b = new int[Integer.bitCount(mask) + 1];
      int c = 1;
      for (int i = 1; i < n; i++) {
        if ((mask & 1 << (i - 1)) != 0) {
          b[c++] = i;
        }
      }
      best = Math.min(best, twoPassSse(p, b));
    }
    return best;
  }

  /** SSE of a partition by cluster starts, computed directly (mean, then squared deviations). */
  static double twoPassSse(WeightedPoints p, int[] starts) {
    double total = p.constantSse();
    for (int c = 0; c < starts.length; c++) {
      int to = c + 1 < starts.length ? starts[c + 1] : p.size();
      double w = 0;
      double s = 0;
      for (int i = starts[c]; i < to; i++) {
        w += p.weight(i);
        s += p.weight(i) * p.value(i);
      }
      double mean = s / w;
      for (int i = starts[c]; i < to; i++) {
        total += p.weight(i) * (p.value(i) - mean) * (p.value(i) - mean);
      }
    }
    return total;
  }

  /** Cluster starts of the plain DP: D[m][i] = min over all j, leftmost on ties; k &lt; n. */
  static int[] plainDp(WeightedPoints p, int k) {
    int n = p.size();
    double shift = 0;
    double tw = 0;
    for (int i = 0; i < n; i++) {
      shift += p.weight(i) * p.value(i);
      tw += p.weight(i);
    }
    shift /= tw;
    double[] w = new double[n + 1];
    double[] s = new double[n + 1];
    double[] q = new double[n + 1];
    for (int i = 0; i < n; i++) {
      double y = p.value(i) - shift;
      w[i + 1] = w[i] + p.weight(i);
      s[i + 1] = s[i] + p.weight(i) * y;
      q[i + 1] = q[i] + p.weight(i) * y * y;
    }
    double[][] d = new double[k + 1][n];
    int[][] arg = new int[k + 1][n];
    for (double[] row : d) {
      Arrays.fill(row, Double.POSITIVE_INFINITY);
    }
    for (int m = 1; m <= k; m++) {
      for (int i = m - 1; i < n; i++) {
        for (int j = m - 1; j <= i; j++) {
          double sy = s[i + 1] - s[j];
          double cost = Math.max(0, q[i + 1] - q[j] - sy * sy / (w[i + 1] - w[j]));
          double v = (m == 1 ? (j == 0 ? 0 : Double.POSITIVE_INFINITY) : d[m - 1][j - 1]) + cost;
          if (v < d[m][i]) {
            d[m][i] = v;
            arg[m][i] = j;
          }
        }
      }
    }
    int[] starts = new int[k];
    int i = n - 1;
    for (int m = k; m >= 1; m--) {
      starts[m - 1] = arg[m][i];
      i = starts[m - 1] - 1;
    }
    return starts;
  }

  /**
   * Mean squared error of Lloyd's k-means after {@code iterations} rounds, started from k-means++
   * seeding (D² sampling with a seeded generator, so deterministic).
   */
  static double lloydMse(float[] x, int k, int iterations, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] centres = new double[k];
    double[] d2 = new double[x.length];
    centres[0] = x[r.nextInt(x.length)];
    Arrays.fill(d2, Double.POSITIVE_INFINITY);
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < x.length; i++) {
        double e = x[i] - centres[c - 1];
        d2[i] = Math.min(d2[i], e * e);
        total += d2[i];
      }
      double target = r.nextDouble() * total;
      int pick = x.length - 1;
      for (int i = 0; i < x.length; i++) {
        target -= d2[i];
        if (target < 0) {
          pick = i;
          break;
        }
      }
      centres[c] = x[pick];
    }
    double mse = 0;
    for (int it = 0; it <= iterations; it++) {
      double[] sum = new double[k];
      long[] count = new long[k];
      double sse = 0;
      for (float v : x) {
        int best = 0;
        double bestE = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double e = (v - centres[c]) * (v - centres[c]);
          if (e < bestE) {
            bestE = e;
            best = c;
          }
        }
        sum[best] += v;
        count[best]++;
        sse += bestE;
      }
      mse = sse / x.length;
      for (int c = 0; c < k; c++) {
        if (count[c] > 0) {
          centres[c] = sum[c] / count[c];
        }
      }
    }
    return mse;
  }

  /**
   * Optimal SSE for k close to n by the plain DP restricted to its band (row m covers the points
   * m−1 .. n−1−(k−m)), each cluster cost by Welford's update while the cluster grows leftwards:
   * O(k·w²) for w = n − k + 1, with no prefix sums at all.
   */
  static double bandedWelford(WeightedPoints p, int k) {
    int n = p.size();
    int w = n - k + 1;
    double[] prev = new double[w];
    double[] cur = new double[w];
    for (int m = 1; m <= k; m++) {
      for (int t = 0; t < w; t++) {
        int i = t + m - 1;
        double best = Double.POSITIVE_INFINITY;
        double weight = 0;
        double mean = 0;
        double m2 = 0;
        for (int j = i; j >= m - 1; j--) {
          double x = p.value(j);
          weight += p.weight(j);
          double d = x - mean;
          mean += d * p.weight(j) / weight;
          m2 += p.weight(j) * d * (x - mean);
          double before = m == 1 ? (j == 0 ? 0 : Double.POSITIVE_INFINITY) : prev[j - (m - 1)];
          best = Math.min(best, before + m2);
        }
        cur[t] = best;
      }
      double[] x = prev;
      prev = cur;
      cur = x;
    }
    return prev[w - 1];
  }
}
