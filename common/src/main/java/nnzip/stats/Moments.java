package nnzip.stats;

import java.io.Serializable;

/**
 * Count, sum and sum of squares of a tensor's finite values, plus where its first non-finite value
 * sits. Mergeable, so shards can be summarized anywhere; sums are in double so the variance of
 * millions of float weights keeps its digits.
 */
public final class Moments implements Serializable {
  private static final long serialVersionUID = 1L;
  private long count;
  private double sum;
  private double sumSquares;
  private long nonFinite;
  private long firstNonFinite = -1;

  /**
   * Adds {@code values[0..n)}, the tensor's elements {@code first ..}.
   */
  public void add(float[] values, int n, long first) {
    for (int i = 0; i < n; i++) {
      float v = values[i];
      if (Float.isFinite(v)) {
        count++;
        sum += v;
        sumSquares += (double) v * v;
      } else {
        if (nonFinite == 0 || first + i < firstNonFinite) {
          firstNonFinite = first + i;
        }
        nonFinite++;
      }
    }
  }

  /** A new summary of both; neither argument changes. */
  public Moments merge(Moments o) {
    Moments m = new Moments();
    m.count = count + o.count;
    m.sum = sum + o.sum;
    m.sumSquares = sumSquares + o.sumSquares;
    m.nonFinite = nonFinite + o.nonFinite;
    if (nonFinite > 0 && o.nonFinite > 0) {
      m.firstNonFinite = Math.min(firstNonFinite, o.firstNonFinite);
    } else {
      m.firstNonFinite = nonFinite > 0 ? firstNonFinite : o.firstNonFinite;
    }
    return m;
  }

  public long count() {
    return count;
  }

  public long nonFinite() {
    return nonFinite;
  }

  /** Element index of the first NaN/Inf, or −1 if none. */
  public long firstNonFinite() {
    return firstNonFinite;
  }

  public double mean() {
    return count == 0 ? 0 : sum / count;
  }

  /** Population variance of the finite values. */
  public double variance() {
    if (count == 0) {
      return 0;
    }
    double m = mean();
    return Math.max(0, sumSquares / count - m * m);
  }
}
