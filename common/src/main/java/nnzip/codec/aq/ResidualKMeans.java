package nnzip.codec.aq;

import java.util.SplittableRandom;

/**
 * Initial codebooks by residual k-means (Juang &amp; Gray's multistage VQ, the usual start of
 * residual and additive quantization): k-means (k-means++ seeding, Arthur &amp; Vassilvitskii, then
 * Lloyd) on the subvectors gives codebook 1, k-means on what remains after subtracting each
 * subvector's nearest centroid gives codebook 2, and so on M times. Runs on a local sample;
 * deterministic for a seed (stage s draws from the s-th split of {@code new SplittableRandom(seed)}).
 */
public final class ResidualKMeans {
  private ResidualKMeans() {}

  /**
   * M codebooks of K codewords fitted to n subvectors.
   *
   * @param x subvector i at x[i·d ..), length ≥ n·d; not modified
   * @param n number of subvectors, ≥ 1
   * @param lloydIterations Lloyd rounds per stage, ≥ 0 (stops early when no assignment changes)
   * @throws IllegalArgumentException if a size is invalid or x is too short
   */
  public static Codebooks fit(float[] x, int n, int d, int m, int k, int lloydIterations, long seed) {
    if (n < 1 || d < 1 || m < 1 || k < 1 || lloydIterations < 0 || x.length / d < n) {
      throw new IllegalArgumentException("residual k-means of n = " + n + " (" + x.length
          + " values), d = " + d + ", M = " + m + ", K = " + k + ", " + lloydIterations + " rounds");
    }
    float[] residual = java.util.Arrays.copyOf(x, n * d);
    float[] all = new float[Math.multiplyExact(Math.multiplyExact(m, k), d)];
    SplittableRandom root = new SplittableRandom(seed);
    int[] assign = new int[n];
    for (int s = 0; s < m; s++) {
      float[] centroids = kMeans(residual, n, d, k, lloydIterations, root.split(), assign);
      for (int i = 0; i < n; i++) {
        for (int t = 0; t < d; t++) {
          residual[i * d + t] -= centroids[assign[i] * d + t];
        }
      }
      System.arraycopy(centroids, 0, all, s * k * d, k * d);
    }
    return Codebooks.of(m, k, d, all);
  }

  /** K centroids (k·d floats) of x; assign receives each point's nearest centroid. */
  static float[] kMeans(float[] x, int n, int d, int k, int iterations, SplittableRandom random, int[] assign) {
    float[] centroids = plusPlus(x, n, d, k, random);
    BeamEncoder nearest = new BeamEncoder(Codebooks.of(1, k, d, centroids), 1);
    nearest.encode(x, n, assign, null);
    int[] next = new int[n];
    for (int round = 0; round < iterations; round++) {
      double[] sum = new double[k * d];
      long[] size = new long[k];
      for (int i = 0; i < n; i++) {
        size[assign[i]]++;
        for (int t = 0; t < d; t++) {
          sum[assign[i] * d + t] += x[i * d + t];
        }
      }
      for (int j = 0; j < k; j++) {
        if (size[j] > 0) { // an empty cluster keeps its centroid
          for (int t = 0; t < d; t++) {
            centroids[j * d + t] = (float) (sum[j * d + t] / size[j]);
          }
        }
      }
      nearest = new BeamEncoder(Codebooks.of(1, k, d, centroids), 1);
      nearest.encode(x, n, next, null);
      boolean changed = !java.util.Arrays.equals(assign, next);
      System.arraycopy(next, 0, assign, 0, n);
      if (!changed) {
        break;
      }
    }
    return centroids;
  }

  /**
   * k-means++ seeding: the first centre uniformly, each next one with probability proportional to
   * the squared distance to the nearest centre so far (uniformly if all distances are 0).
   */
  static float[] plusPlus(float[] x, int n, int d, int k, SplittableRandom random) {
    float[] centroids = new float[k * d];
    double[] dist = new double[n];
    java.util.Arrays.fill(dist, Double.POSITIVE_INFINITY);
    int pick = random.nextInt(n);
    for (int j = 0; j < k; j++) {
      System.arraycopy(x, pick * d, centroids, j * d, d);
      double total = 0;
      for (int i = 0; i < n; i++) {
        double e = 0;
        for (int t = 0; t < d; t++) {
          double r = (double) x[i * d + t] - centroids[j * d + t];
          e += r * r;
        }
        dist[i] = Math.min(dist[i], e);
        total += dist[i];
      }
      if (total > 0) {
        double u = random.nextDouble() * total;
        pick = n - 1;
        for (int i = 0; i < n; i++) {
          u -= dist[i];
          if (u < 0) {
            pick = i;
            break;
          }
        }
      } else {
        pick = random.nextInt(n);
      }
    }
    return centroids;
  }
}
