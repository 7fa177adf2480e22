package nnzip.codec.aq;

/** Precomputed tables of {@link BeamEncoder}: codebooks transposed and codeword cross products. */
final class EncoderTables {
  private EncoderTables() {}

  /** Value t of codeword j of codebook s at (s·d + t)·K + j; length M·K·d. */
  static float[] transposed(Codebooks books) {
    int m = books.codebooks();
    int k = books.codewords();
    int d = books.dim();
    float[] c = books.raw();
    float[] out = new float[m * k * d];
    for (int s = 0; s < m; s++) {
      for (int j = 0; j < k; j++) {
        for (int t = 0; t < d; t++) {
          out[(s * d + t) * k + j] = c[(s * k + j) * d + t];
        }
      }
    }
    return out;
  }

  /** 2⟨C_p[i], C_s[j]⟩ at {@link #crossStart}(p, s, K) + i·K + j for p &lt; s; M(M−1)/2·K² floats. */
  static float[] crossProducts(Codebooks books) {
    int m = books.codebooks();
    int k = books.codewords();
    int d = books.dim();
    float[] c = books.raw();
    float[] out = new float[Math.multiplyExact(m * (m - 1) / 2, Math.multiplyExact(k, k))];
    for (int s = 1; s < m; s++) {
      for (int p = 0; p < s; p++) {
        int start = crossStart(p, s, k);
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            float dot = 0;
            for (int t = 0; t < d; t++) {
              dot += c[(p * k + i) * d + t] * c[(s * k + j) * d + t];
            }
            out[start + i * k + j] = 2 * dot;
          }
        }
      }
    }
    return out;
  }

  /** Start of the block of codebook pair (p, s), p &lt; s. */
  static int crossStart(int p, int s, int k) {
    return (s * (s - 1) / 2 + p) * k * k;
  }
}
