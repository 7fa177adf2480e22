package nnzip.io.onnx;

/** Slow, obvious float math for hand-computed expectations; arrays are row-major. */
final class Reference {
  private Reference() {}

  /** x[rows, k] · w[k, n] → [rows, n], accumulated in double. */
  static float[] matmul(float[] x, int rows, float[] w, int n) {
    int k = x.length / rows;
    float[] y = new float[rows * n];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < k; i++) {
          s += (double) x[r * k + i] * w[i * n + j];
        }
        y[r * n + j] = (float) s;
      }
    }
    return y;
  }

  /** y[r, j] + v[j] for every row (broadcast over rows); sign −1 subtracts. */
  static float[] addRow(float[] y, float[] v, int sign) {
    float[] out = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = y[i] + sign * v[i % v.length];
    }
    return out;
  }

  /** y[r, j] · v[j] for every row. */
  static float[] mulRow(float[] y, float[] v) {
    float[] out = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = y[i] * v[i % v.length];
    }
    return out;
  }

  static float[] relu(float[] y) {
    float[] out = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = Math.max(0f, y[i]);
    }
    return out;
  }

  /** Largest |a − b| over all elements; arrays must have equal length. */
  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths " + a.length + " and " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
