package nnzip.finetune;

import java.util.Arrays;

/** The reference the clustering tests compare with: 2-level 1-D k-means by brute force. */
final class TwoLevels {
  private TwoLevels() {}

  /** The 2 levels minimizing the squared error: the best split of the sorted values, by brute force. */
  static double[] bruteForce(float[] w) {
    double[] v = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      v[i] = w[i];
    }
    Arrays.sort(v);
    double best = Double.MAX_VALUE;
    double[] levels = null;
    for (int cut = 1; cut < v.length; cut++) {
      double a = Arrays.stream(v, 0, cut).average().orElseThrow();
      double b = Arrays.stream(v, cut, v.length).average().orElseThrow();
      double err = 0;
      for (int i = 0; i < v.length; i++) {
        double d = v[i] - (i < cut ? a : b);
        err += d * d;
      }
      if (err < best) {
        best = err;
        levels = new double[] {a, b};
      }
    }
    return levels;
  }

  /** The level nearest to x (the upper one on a tie, as {@link nnzip.codec.dp.Codebook} does). */
  static double nearest(double[] levels, double x) {
    return Math.abs(x - levels[0]) < Math.abs(x - levels[1]) ? levels[0] : levels[1];
  }
}
