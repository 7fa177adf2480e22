package nnzip.train;

/**
 * The forward kernel of one dense layer, y = x·Wᵀ + b (optionally ReLU), in the layout of
 * PyTorch's {@code nn.Linear} and ONNX {@code Gemm(transB=1)}: W is [out, in] row-major, so each
 * output is a dot product of two contiguous rows.
 */
final class Dense {
  private Dense() {}

  /**
   * Computes {@code n} rows of output.
   *
   * @param x input, rows {@code [xOff/in, xOff/in + n)} of an [*, in] row-major matrix
   * @param xOff offset of the first input value in {@code x}
   * @param n number of rows
   * @param w weight, length out·in, [out, in] row-major
   * @param b bias, length out
   * @param relu whether to apply max(0, ·) to the result
   * @param y output, length ≥ n·out, [n, out] row-major, written from index 0
   */
  static void forward(float[] x, int xOff, int n, int in, float[] w, float[] b, int out, boolean relu, float[] y) {
    for (int i = 0; i < n; i++) {
      int xi = xOff + i * in;
      int yi = i * out;
      for (int o = 0; o < out; o++) {
        float v = dot(x, xi, w, o * in, in) + b[o];
        y[yi + o] = relu && v < 0 ? 0f : v;
      }
    }
  }

  /** Σ a[ai+k]·c[ci+k] over k < len, in four interleaved float partial sums. */
  static float dot(float[] a, int ai, float[] c, int ci, int len) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int k = 0;
    for (; k + 3 < len; k += 4) {
      s0 += a[ai + k] * c[ci + k];
      s1 += a[ai + k + 1] * c[ci + k + 1];
      s2 += a[ai + k + 2] * c[ci + k + 2];
      s3 += a[ai + k + 3] * c[ci + k + 3];
    }
    for (; k < len; k++) {
      s0 += a[ai + k] * c[ci + k];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Index of the largest of each row's {@code k} values (the first on ties).
   *
   * @param logits [n, k] row-major, length ≥ n·k
   * @param dst destination, rows written at {@code dst[dstOff..dstOff+n)}
   */
  static void argmax(float[] logits, int n, int k, int[] dst, int dstOff) {
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (logits[i * k + j] > logits[i * k + best]) {
          best = j;
        }
      }
      dst[dstOff + i] = best;
    }
  }
}
