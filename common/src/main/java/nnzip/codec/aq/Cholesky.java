package nnzip.codec.aq;

/**
 * Dense Cholesky factorization A = LLᵀ of a symmetric positive definite matrix and the solve of
 * A Y = R for several right-hand sides, in place, row-major doubles. Only the lower triangle of A
 * is read. About n³/3 multiply-adds (3·10^9 at n = 2048, a few seconds on one core).
 */
final class Cholesky {
  private Cholesky() {}

  /**
   * Overwrites the lower triangle of a (n × n, row-major) with L.
   *
   * @throws ArithmeticException if a pivot is not positive (A not positive definite)
   */
  static void factor(double[] a, int n) {
    for (int j = 0; j < n; j++) {
      int rj = j * n;
      double s = a[rj + j];
      for (int q = 0; q < j; q++) {
        s -= a[rj + q] * a[rj + q];
      }
      if (!(s > 0)) {
        throw new ArithmeticException("matrix not positive definite at pivot " + j + ": " + s);
      }
      double ljj = Math.sqrt(s);
      a[rj + j] = ljj;
      for (int i = j + 1; i < n; i++) {
        int ri = i * n;
        double v = a[ri + j];
        for (int q = 0; q < j; q++) {
          v -= a[ri + q] * a[rj + q];
        }
        a[ri + j] = v / ljj;
      }
    }
  }

  /** Solves LLᵀ Y = R in place: r is n × cols row-major and becomes Y. */
  static void solve(double[] l, int n, double[] r, int cols) {
    for (int i = 0; i < n; i++) {
      for (int q = 0; q < i; q++) {
        double f = l[i * n + q];
        if (f != 0) {
          for (int t = 0; t < cols; t++) {
            r[i * cols + t] -= f * r[q * cols + t];
          }
        }
      }
      for (int t = 0; t < cols; t++) {
        r[i * cols + t] /= l[i * n + i];
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      for (int t = 0; t < cols; t++) {
        r[i * cols + t] /= l[i * n + i];
      }
      for (int q = 0; q < i; q++) {
        double f = l[i * n + q];
        if (f != 0) {
          for (int t = 0; t < cols; t++) {
            r[q * cols + t] -= f * r[i * cols + t];
          }
        }
      }
    }
  }
}
