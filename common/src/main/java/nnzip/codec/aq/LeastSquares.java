package nnzip.codec.aq;

/**
 * The codebook update of additive quantization for fixed codes: the minimizer of
 * ‖X − BC‖² + λ‖C − C_prev‖², i.e. (BᵀB + λI) C = BᵀX + λ C_prev, solved by Cholesky in double
 * (dense, rows and columns of unused codewords removed) and rounded to float. The ridge pulls
 * toward the previous codebooks rather than toward 0, so that (a) the error for the same codes
 * never exceeds the previous one, for any λ (up to float rounding), (b) the gauge freedom of
 * M ≥ 2 codebooks (adding v to every codeword of one codebook and subtracting it from another
 * decodes the same, so BᵀB is singular) is resolved by staying near C_prev. Codewords never used
 * in the codes keep their previous value exactly. With λ = 0 (or smaller) the solver uses
 * λ = {@value #GAUGE_RIDGE} × the largest usage count, which only fixes the gauge.
 */
public final class LeastSquares {
  /** Relative ridge used when λ is below it, times the largest usage count. */
  public static final double GAUGE_RIDGE = 1e-6;
  /** Largest number of used codewords, MK, solved densely (a 512 MiB matrix). */
  public static final int MAX_DENSE = 8192;

  private LeastSquares() {}

  /**
   * New codebooks from the sums of fixed codes.
   *
   * @param sums BᵀB and BᵀX of the codes
   * @param lambda proximal ridge weight, finite and ≥ 0
   * @param previous the codebooks the codes were made with (same shape as sums)
   * @throws IllegalArgumentException if the shapes differ, λ is invalid, or more than
   *     {@link #MAX_DENSE} codewords are used with M ≥ 2
   */
  public static Codebooks solve(NormalEquations sums, double lambda, Codebooks previous) {
    int m = sums.codebooks();
    int k = sums.codewords();
    int d = sums.dim();
    if (previous.codebooks() != m || previous.codewords() != k || previous.dim() != d) {
      throw new IllegalArgumentException("previous " + previous + " does not fit M, K, d = " + m
          + ", " + k + ", " + d);
    }
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and ≥ 0, got " + lambda);
    }
    float[] prev = previous.raw();
    int[] used = new int[m * k];
    int n = 0;
    long maxUsage = 0;
    for (int r = 0; r < m * k; r++) {
      long u = sums.usage(r / k, r % k);
      if (u > 0) {
        used[n++] = r;
        maxUsage = Math.max(maxUsage, u);
      }
    }
    double ridge = Math.max(lambda, GAUGE_RIDGE * maxUsage);
    if (m > 1 && n > MAX_DENSE) {
      throw new IllegalArgumentException(n + " used codewords exceed the dense limit " + MAX_DENSE);
    }
    double[] rhs = new double[Math.multiplyExact(n, d)];
    for (int p = 0; p < n; p++) {
      int r = used[p];
      for (int t = 0; t < d; t++) {
        rhs[p * d + t] = sums.projection(r / k, r % k, t) + ridge * prev[r * d + t];
      }
    }
    if (m == 1) {
      // BᵀB is diagonal.
      for (int p = 0; p < n; p++) {
        double a = sums.usage(0, used[p]) + ridge;
        for (int t = 0; t < d; t++) {
          rhs[p * d + t] /= a;
        }
      }
    } else {
      double[] a = new double[Math.multiplyExact(n, n)];
      for (int p = 0; p < n; p++) {
        int rp = used[p];
        for (int q = 0; q <= p; q++) {
          int rq = used[q];
          a[p * n + q] = sums.gram(rp / k, rp % k, rq / k, rq % k);
        }
        a[p * n + p] += ridge;
      }
      Cholesky.factor(a, n);
      Cholesky.solve(a, n, rhs, d);
    }
    float[] out = prev.clone();
    for (int p = 0; p < n; p++) {
      for (int t = 0; t < d; t++) {
        out[used[p] * d + t] = (float) rhs[p * d + t];
      }
    }
    return Codebooks.of(m, k, d, out);
  }
}
