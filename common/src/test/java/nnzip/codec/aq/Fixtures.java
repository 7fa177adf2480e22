package nnzip.codec.aq;

import java.util.SplittableRandom;

/** Seeded test data and slow obvious references. */
final class Fixtures {
  private Fixtures() {}

  /** n·d draws of N(0, 1). */
  static float[] gaussian(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) normal(r);
    }
    return x;
  }

  /** Box–Muller. */
  static double normal(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** Random codebooks with values N(0, scale²). */
  static Codebooks randomBooks(int m, int k, int d, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[m * k * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (scale * normal(r));
    }
    return Codebooks.of(m, k, d, v);
  }

  /** n random code tuples. */
  static int[] randomCodes(int n, int m, int k, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] codes = new int[n * m];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = r.nextInt(k);
    }
    return codes;
  }

  /** ‖x_i − Σ_m C_m[codes_i,m]‖² summed, with the decode written out in double. */
  static double error(Codebooks books, int[] codes, float[] x, int n) {
    int m = books.codebooks();
    int d = books.dim();
    double e = 0;
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) {
        double s = 0;
        for (int c = 0; c < m; c++) {
          s += books.value(c, codes[i * m + c], t);
        }
        double r = x[i * d + t] - s;
        e += r * r;
      }
    }
    return e;
  }

  /** The least error over all K^M tuples for each subvector, by enumeration. */
  static double[] exhaustive(Codebooks books, float[] x, int n) {
    int m = books.codebooks();
    int k = books.codewords();
    int d = books.dim();
    int tuples = (int) Math.pow(k, m);
    double[] best = new double[n];
    int[] tuple = new int[m];
    for (int i = 0; i < n; i++) {
      best[i] = Double.POSITIVE_INFINITY;
      for (int code = 0; code < tuples; code++) {
        for (int c = 0, v = code; c < m; c++, v /= k) {
          tuple[c] = v % k;
        }
        float[] xi = java.util.Arrays.copyOfRange(x, i * d, i * d + d);
        best[i] = Math.min(best[i], error(books, tuple, xi, 1));
      }
    }
    return best;
  }

  /** Solves A Y = R by Gaussian elimination with partial pivoting (A n × n, R n × cols). */
  static double[][] gauss(double[][] a, double[][] r) {
    int n = a.length;
    int cols = r[0].length;
    double[][] m = new double[n][];
    double[][] y = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = a[i].clone();
      y[i] = r[i].clone();
    }
    for (int p = 0; p < n; p++) {
      int piv = p;
      for (int i = p + 1; i < n; i++) {
        if (Math.abs(m[i][p]) > Math.abs(m[piv][p])) {
          piv = i;
        }
      }
      double[] tmp = m[p];
      m[p] = m[piv];
      m[piv] = tmp;
      tmp = y[p];
      y[p] = y[piv];
      y[piv] = tmp;
      for (int i = p + 1; i < n; i++) {
        double f = m[i][p] / m[p][p];
        for (int j = p; j < n; j++) {
          m[i][j] -= f * m[p][j];
        }
        for (int t = 0; t < cols; t++) {
          y[i][t] -= f * y[p][t];
        }
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      for (int t = 0; t < cols; t++) {
        double s = y[i][t];
        for (int j = i + 1; j < n; j++) {
          s -= m[i][j] * y[j][t];
        }
        y[i][t] = s / m[i][i];
      }
    }
    return y;
  }
}
