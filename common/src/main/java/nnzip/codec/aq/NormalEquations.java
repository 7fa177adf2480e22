package nnzip.codec.aq;

import java.io.Serializable;

/**
 * Mergeable sums of the codebook least-squares problem min_C ‖X − BC‖² for fixed codes, where B is
 * the n × MK one-hot matrix of the code tuples: BᵀB (MK × MK) and BᵀX (MK × d), plus n and Σ‖x‖².
 * BᵀB is kept sparse and exact as counts: its diagonal blocks are diagonal (usage counts of each
 * codeword) and block (m, m') for m &lt; m' counts the pairs (i, j) chosen together; the rest is
 * symmetric. Counts are integers, so merging in any order gives identical counts; BᵀX and Σ‖x‖²
 * are double sums whose last bits depend on the order, so a job that needs byte-identical output
 * must add and merge in a fixed order (fixed shards, ordered tree). Memory: M·K + M(M−1)/2·K²
 * longs and MK·d doubles.
 */
public final class NormalEquations implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int m;
  private final int k;
  private final int d;
  private final long[] usage;
  private final long[] pairs;
  private final double[] btx;
  private long count;
  private double sumSquares;

  /**
   * Empty sums for M codebooks of K codewords of d floats.
   *
   * @throws IllegalArgumentException if a size is &lt; 1
   * @throws ArithmeticException if the pair counts would exceed an array
   */
  public NormalEquations(int m, int k, int d) {
    if (m < 1 || k < 1 || d < 1) {
      throw new IllegalArgumentException("need M, K, d ≥ 1, got " + m + ", " + k + ", " + d);
    }
    this.m = m;
    this.k = k;
    this.d = d;
    this.usage = new long[Math.multiplyExact(m, k)];
    this.pairs = new long[Math.multiplyExact(m * (m - 1) / 2, Math.multiplyExact(k, k))];
    this.btx = new double[Math.multiplyExact(m * k, d)];
  }

  /** Empty sums shaped like {@code books}. */
  public static NormalEquations like(Codebooks books) {
    return new NormalEquations(books.codebooks(), books.codewords(), books.dim());
  }

  /**
   * Adds n subvectors with their codes.
   *
   * @param codes tuple i at codes[i·M ..), length ≥ n·M, each code in 0..K−1
   * @param x subvector i at x[i·d ..), length ≥ n·d
   * @return this
   * @throws IllegalArgumentException if n &lt; 0 or an array is too short
   * @throws IndexOutOfBoundsException if a code is out of range (sums are then partly updated)
   */
  public NormalEquations add(int[] codes, float[] x, int n) {
    if (n < 0 || codes.length / m < n || x.length / d < n) {
      throw new IllegalArgumentException("n = " + n + " but " + codes.length + " codes (M = " + m
          + ") and " + x.length + " values (d = " + d + ")");
    }
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < m; a++) {
        int ja = code(codes, i * m + a, a);
        usage[a * k + ja]++;
        int row = (a * k + ja) * d;
        for (int t = 0; t < d; t++) {
          btx[row + t] += x[i * d + t];
        }
        for (int b = a + 1; b < m; b++) {
          pairs[pairIndex(a, b) + ja * k + code(codes, i * m + b, b)]++;
        }
      }
      double s = 0;
      for (int t = 0; t < d; t++) {
        s += (double) x[i * d + t] * x[i * d + t];
      }
      sumSquares += s;
    }
    count += n;
    return this;
  }

  private int code(int[] codes, int at, int book) {
    int j = codes[at];
    if (j < 0 || j >= k) {
      throw new IndexOutOfBoundsException("code " + j + " of codebook " + book + " outside 0.." + (k - 1));
    }
    return j;
  }

  /** Start of block (a, b), a &lt; b, in {@link #pairs}. */
  private int pairIndex(int a, int b) {
    int before = a * m - a * (a + 1) / 2 + (b - a - 1);
    return before * k * k;
  }

  /**
   * Adds {@code other}'s sums to these (other is unchanged).
   *
   * @return this
   * @throws IllegalArgumentException if the shapes differ
   */
  public NormalEquations merge(NormalEquations other) {
    if (other.m != m || other.k != k || other.d != d) {
      throw new IllegalArgumentException("cannot merge M, K, d = " + other.m + ", " + other.k + ", "
          + other.d + " into " + m + ", " + k + ", " + d);
    }
    for (int i = 0; i < usage.length; i++) {
      usage[i] += other.usage[i];
    }
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] += other.pairs[i];
    }
    for (int i = 0; i < btx.length; i++) {
      btx[i] += other.btx[i];
    }
    count += other.count;
    sumSquares += other.sumSquares;
    return this;
  }

  /** Number of codebooks M. */
  public int codebooks() {
    return m;
  }

  /** Codewords per codebook K. */
  public int codewords() {
    return k;
  }

  /** Subvector length d. */
  public int dim() {
    return d;
  }

  /** Subvectors added, n. */
  public long count() {
    return count;
  }

  /** Σ_i ‖x_i‖² in double. */
  public double sumSquares() {
    return sumSquares;
  }

  /**
   * Σ_i ‖x_i − mean‖², the denominator of the relative MSE, from the sums alone: every subvector
   * picks one codeword of codebook 0, so Σ_i x_i is the sum of codebook 0's rows of BᵀX. Computed
   * as Σ‖x‖² − ‖Σx‖²/n, which cancels when the mean is large against the spread (not the case for
   * network weights); 0 when empty.
   */
  public double centredSumSquares() {
    if (count == 0) {
      return 0;
    }
    double s = sumSquares;
    for (int t = 0; t < d; t++) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += btx[j * d + t];
      }
      s -= sum * sum / count;
    }
    return Math.max(s, 0);
  }

  /** How often codeword j of codebook c was chosen: (BᵀB) at ((c, j), (c, j)). */
  public long usage(int c, int j) {
    return usage[c * k + j];
  }

  /**
   * (BᵀB) at row (a, i), column (b, j): how often codeword i of codebook a and codeword j of
   * codebook b were chosen together (for a = b: the usage of i if i = j, else 0).
   */
  public long gram(int a, int i, int b, int j) {
    if (a == b) {
      return i == j ? usage[a * k + i] : 0;
    }
    return a < b ? pairs[pairIndex(a, b) + i * k + j] : pairs[pairIndex(b, a) + j * k + i];
  }

  /** (BᵀX) at row (c, j), column t: Σ of x_t over subvectors coded j in codebook c. */
  public double projection(int c, int j, int t) {
    return btx[(c * k + j) * d + t];
  }

  /** BᵀX, a copy of MK × d doubles, row (c, j) at (c·K + j)·d. */
  public double[] projections() {
    return btx.clone();
  }

  /**
   * ‖X − BC‖² for the codes added, from the sums alone: Σ‖x‖² − 2⟨C, BᵀX⟩ + ⟨C, BᵀB C⟩. Subject to
   * cancellation (absolute error about 1e−16 · Σ‖x‖²); for monitoring, not for tests of small
   * differences.
   *
   * @throws IllegalArgumentException if the shapes differ
   */
  public double squaredError(Codebooks books) {
    if (books.codebooks() != m || books.codewords() != k || books.dim() != d) {
      throw new IllegalArgumentException("codebooks " + books + " do not fit M, K, d = " + m + ", "
          + k + ", " + d);
    }
    float[] c = books.raw();
    double e = sumSquares;
    for (int r = 0; r < m * k; r++) {
      double dot = 0;
      double sq = 0;
      for (int t = 0; t < d; t++) {
        dot += btx[r * d + t] * c[r * d + t];
        sq += (double) c[r * d + t] * c[r * d + t];
      }
      e += usage[r] * sq - 2 * dot;
    }
    for (int a = 0; a < m; a++) {
      for (int b = a + 1; b < m; b++) {
        int p0 = pairIndex(a, b);
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            long n = pairs[p0 + i * k + j];
            if (n != 0) {
              double dot = 0;
              for (int t = 0; t < d; t++) {
                dot += (double) c[(a * k + i) * d + t] * c[(b * k + j) * d + t];
              }
              e += 2 * n * dot;
            }
          }
        }
      }
    }
    return e;
  }
}
