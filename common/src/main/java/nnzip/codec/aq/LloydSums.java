package nnzip.codec.aq;

import java.io.Serializable;

/**
 * Per-codeword sums for one distributed Lloyd step of one residual k-means stage: count and vector
 * sum of the residuals assigned to each of the K codewords. Mergeable; counts are exact, sums are
 * doubles (merge in a fixed order for byte-identical results).
 */
public final class LloydSums implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int k;
  private final int d;
  private final long[] counts;
  private final double[] sums;

  public LloydSums(int k, int d) {
    this.k = k;
    this.d = d;
    this.counts = new long[k];
    this.sums = new double[Math.multiplyExact(k, d)];
  }

  /**
   * Adds n subvectors for stage {@code stage}: each one's residual after the nearest codeword of
   * every earlier stage (greedy, as residual k-means builds them) goes to its nearest codeword of
   * this stage.
   *
   * @param x subvectors, n × d row-major
   * @param books codebooks whose first {@code stage + 1} codebooks are fitted so far
   */
  public LloydSums add(float[] x, int n, Codebooks books, int stage) {
    float[] r = new float[d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(x, i * d, r, 0, d);
      for (int m = 0; m < stage; m++) {
        int c = nearest(books, m, r);
        for (int t = 0; t < d; t++) {
          r[t] -= books.value(m, c, t);
        }
      }
      int c = nearest(books, stage, r);
      counts[c]++;
      for (int t = 0; t < d; t++) {
        sums[c * d + t] += r[t];
      }
    }
    return this;
  }

  private static int nearest(Codebooks books, int m, float[] r) {
    int best = 0;
    double bestDist = Double.MAX_VALUE;
    for (int j = 0; j < books.codewords(); j++) {
      double dist = 0;
      for (int t = 0; t < r.length; t++) {
        double diff = r[t] - books.value(m, j, t);
        dist += diff * diff;
      }
      if (dist < bestDist) {
        bestDist = dist;
        best = j;
      }
    }
    return best;
  }

  /** This plus other (this is changed and returned). */
  public LloydSums merge(LloydSums o) {
    for (int j = 0; j < k; j++) {
      counts[j] += o.counts[j];
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] += o.sums[i];
    }
    return this;
  }

  /** The codebooks with stage {@code stage} moved to the means of its clusters (empty clusters keep their codeword). */
  public Codebooks update(Codebooks books, int stage) {
    float[] v = books.values();
    for (int j = 0; j < k; j++) {
      if (counts[j] > 0) {
        for (int t = 0; t < d; t++) {
          v[(stage * k + j) * d + t] = (float) (sums[j * d + t] / counts[j]);
        }
      }
    }
    return Codebooks.of(books.codebooks(), k, d, v);
  }

  public long count(int j) {
    return counts[j];
  }
}
