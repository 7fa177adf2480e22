package nnzip.codec.aq;

/**
 * Beam search over residuals (the encoder of Babenko &amp; Lempitsky's residual/additive
 * quantization; Faiss's {@code residual_quantizer_encode_steps}): step m extends each of the kept
 * partial code tuples by every codeword of codebook m and keeps the B extensions with the smallest
 * residual norm, ‖r − c‖² = ‖r‖² − 2⟨x, c⟩ + 2Σ_{m'&lt;m}⟨C_m'[b_m'], c⟩ + ‖c‖², with ‖c‖² and the
 * cross products ⟨C_m'[i], C_m[j]⟩ precomputed (Faiss's LUT form) when they take at most
 * {@value #MAX_CROSS} floats, else ⟨r, c⟩ directly; the final code is the kept tuple with the
 * smallest exact residual. With B ≥ K^(M−1) the search is exhaustive (up to float rounding of
 * the distances). Ties go to the earlier (beam entry, codeword), so the result is deterministic.
 * Immutable and thread-safe: scratch space is allocated per call. Cost per subvector and step:
 * K·d multiply-adds plus B·K·(step + 1) adds with the tables, B·K·d multiply-adds without.
 */
public final class BeamEncoder {
  /** Largest table of cross products, M(M−1)/2 · K² floats, precomputed (16 MiB). */
  public static final int MAX_CROSS = 1 << 22;
  private final Codebooks books;
  private final float[] c;
  private final float[] norms;
  // Codebooks transposed: value t of codeword j of codebook s at (s·d + t)·K + j, so that the
  // loop over codewords is contiguous and independent (vectorizable).
  private final float[] transposed;
  // 2⟨C_p[i], C_s[j]⟩ at crossStart(p, s) + i·K + j for p < s; null when too large.
  private final float[] cross;
  private final int m;
  private final int k;
  private final int d;
  private final int beam;

  /**
   * An encoder for {@code books} keeping {@code beam} partial tuples.
   *
   * @throws IllegalArgumentException if beam &lt; 1
   */
  public BeamEncoder(Codebooks books, int beam) {
    this(books, beam, true);
  }

  /** As above; {@code tables} false computes every dot product directly (for tests). */
  BeamEncoder(Codebooks books, int beam, boolean tables) {
    if (beam < 1) {
      throw new IllegalArgumentException("beam must be ≥ 1, got " + beam);
    }
    this.books = books;
    this.c = books.raw();
    this.m = books.codebooks();
    this.k = books.codewords();
    this.d = books.dim();
    // A wider beam than the number of tuples after M − 1 steps changes nothing.
    long widest = 1;
    for (int s = 0; s < m - 1 && widest < beam; s++) {
      widest *= k;
    }
    this.beam = (int) Math.min(beam, widest);
    this.norms = new float[m * k];
    for (int j = 0; j < m * k; j++) {
      float s = 0;
      for (int t = 0; t < d; t++) {
        s += c[j * d + t] * c[j * d + t];
      }
      norms[j] = s;
    }
    this.transposed = EncoderTables.transposed(books);
    long pairs = (long) m * (m - 1) / 2 * k * k;
    this.cross = tables && pairs <= MAX_CROSS ? EncoderTables.crossProducts(books) : null;
  }

  private int crossStart(int p, int s) {
    return EncoderTables.crossStart(p, s, k);
  }

  /** The codebooks encoded against. */
  public Codebooks codebooks() {
    return books;
  }

  /**
   * Encodes n subvectors.
   *
   * @param x subvector i at x[i·d ..), length ≥ n·d
   * @param codes receives tuple i at codes[i·M ..), length ≥ n·M
   * @param errors receives ‖x_i − decode(tuple i)‖² (in double), length ≥ n; may be null
   * @return the sum of the squared errors
   * @throws IllegalArgumentException if n &lt; 0, an array is too short for n subvectors, or a
   *     subvector is not finite (or its squared norm overflows a float)
   */
  public double encode(float[] x, int n, int[] codes, double[] errors) {
    if (n < 0 || x.length / d < n || codes.length / m < n || (errors != null && errors.length < n)) {
      throw new IllegalArgumentException("n = " + n + " but " + x.length + " values (d = " + d + "), "
          + codes.length + " codes (M = " + m + ")"
          + (errors == null ? "" : " and " + errors.length + " errors"));
    }
    Scratch s = new Scratch();
    float[] decoded = new float[d];
    int[] tuple = new int[m];
    double total = 0;
    for (int i = 0; i < n; i++) {
      encodeOne(x, i * d, s, tuple);
      System.arraycopy(tuple, 0, codes, i * m, m);
      books.decode(tuple, decoded);
      double e = 0;
      for (int t = 0; t < d; t++) {
        double r = (double) x[i * d + t] - decoded[t];
        e += r * r;
      }
      if (errors != null) {
        errors[i] = e;
      }
      total += e;
    }
    return total;
  }

  /** Encodes n subvectors into new arrays. */
  public Encoding encode(float[] x, int n) {
    int[] codes = new int[Math.multiplyExact(n, m)];
    double[] errors = new double[n];
    encode(x, n, codes, errors);
    return new Encoding(codes, errors);
  }

  /** Per-call buffers: the beam (residuals, tuples, norms) and the next beam. */
  private final class Scratch {
    float[] res = new float[beam * d];
    float[] nextRes = new float[beam * d];
    int[] tuples = new int[beam * m];
    int[] nextTuples = new int[beam * m];
    float[] dist = new float[beam];
    float[] nextDist = new float[beam];
    // Candidates of one step, sorted by distance: (beam entry, codeword).
    float[] candDist = new float[beam];
    float[] xc = new float[k];
    float[] row = new float[k];
    int[] candFrom = new int[beam];
    int[] candWord = new int[beam];
  }

  private void encodeOne(float[] x, int xOffset, Scratch s, int[] tuple) {
    float norm = 0;
    for (int t = 0; t < d; t++) {
      s.res[t] = x[xOffset + t];
      norm += s.res[t] * s.res[t];
    }
    if (!Float.isFinite(norm)) {
      throw new IllegalArgumentException("subvector at " + xOffset + " is not finite or its squared norm "
          + "overflows a float: " + norm);
    }
    s.dist[0] = norm;
    int size = 1;
    for (int step = 0; step < m; step++) {
      if (cross != null) {
        // ‖c‖² − 2⟨x, c⟩ once per step; the beam entries differ only by cross terms.
        float[] xc = s.xc;
        System.arraycopy(norms, step * k, xc, 0, k);
        for (int t = 0; t < d; t++) {
          float w = -2 * x[xOffset + t];
          int c0 = (step * d + t) * k;
          for (int j = 0; j < k; j++) {
            xc[j] += w * transposed[c0 + j];
          }
        }
      }
      int kept = 0;
      for (int b = 0; b < size; b++) {
        if (cross != null) {
          distancesFromTables(s, b, step);
        } else {
          distancesDirect(s, b, step);
        }
        float[] row = s.row;
        float bar = kept < beam ? Float.POSITIVE_INFINITY : s.candDist[beam - 1];
        for (int j = 0; j < k; j++) {
          if (row[j] < bar) {
            kept = insert(s, kept, Math.min(kept, beam - 1), row[j], b, j);
            bar = kept < beam ? Float.POSITIVE_INFINITY : s.candDist[beam - 1];
          }
        }
      }
      for (int e = 0; e < kept; e++) {
        int from = s.candFrom[e];
        int c0 = (step * k + s.candWord[e]) * d;
        float exact = 0;
        for (int t = 0; t < d; t++) {
          float r = s.res[from * d + t] - c[c0 + t];
          s.nextRes[e * d + t] = r;
          exact += r * r;
        }
        s.nextDist[e] = exact;
        System.arraycopy(s.tuples, from * m, s.nextTuples, e * m, step);
        s.nextTuples[e * m + step] = s.candWord[e];
      }
      swap(s);
      size = kept;
    }
    int best = 0;
    for (int e = 1; e < size; e++) {
      if (s.dist[e] < s.dist[best]) {
        best = e;
      }
    }
    System.arraycopy(s.tuples, best * m, tuple, 0, m);
  }

  /** row[j] = ‖r_b − C_step[j]‖² from ‖r_b‖², the x table and the cross products. */
  private void distancesFromTables(Scratch s, int b, int step) {
    float base = s.dist[b];
    float[] row = s.row;
    for (int j = 0; j < k; j++) {
      row[j] = base + s.xc[j];
    }
    for (int p = 0; p < step; p++) {
      int start = crossStart(p, step) + s.tuples[b * m + p] * k;
      for (int j = 0; j < k; j++) {
        row[j] += cross[start + j];
      }
    }
  }

  /** row[j] = ‖r_b − C_step[j]‖² = ‖r_b‖² − 2⟨r_b, c⟩ + ‖c‖², the dot product computed. */
  private void distancesDirect(Scratch s, int b, int step) {
    int r0 = b * d;
    float base = s.dist[b];
    for (int j = 0; j < k; j++) {
      int c0 = (step * k + j) * d;
      float dot = 0;
      for (int t = 0; t < d; t++) {
        dot += s.res[r0 + t] * c[c0 + t];
      }
      s.row[j] = base - 2 * dot + norms[step * k + j];
    }
  }

  /**
   * Inserts (dd, from, word) into the sorted candidates, dropping the one at {@code last} if the
   * list is full; an equal distance goes after the existing ones. Returns the new count.
   */
  private static int insert(Scratch s, int kept, int last, float dd, int from, int word) {
    int p = last;
    while (p > 0 && s.candDist[p - 1] > dd) {
      s.candDist[p] = s.candDist[p - 1];
      s.candFrom[p] = s.candFrom[p - 1];
      s.candWord[p] = s.candWord[p - 1];
      p--;
    }
    s.candDist[p] = dd;
    s.candFrom[p] = from;
    s.candWord[p] = word;
    return last == kept ? kept + 1 : kept;
  }

  private static void swap(Scratch s) {
    float[] r = s.res;
    s.res = s.nextRes;
    s.nextRes = r;
    int[] t = s.tuples;
    s.tuples = s.nextTuples;
    s.nextTuples = t;
    float[] dd = s.dist;
    s.dist = s.nextDist;
    s.nextDist = dd;
  }
}
