package nnzip.codec.entropy;

/**
 * Lossless coding of a stream of code indices of {@code bits} bits each (1..16), laid out in rows
 * (a weight matrix's rows). Each code is binarized by a binary tree over its bits, most significant
 * first; every tree node has an adaptive probability, and the set of node probabilities in use is
 * picked by the code's neighbours: the one to its left in the row and the one above it in the
 * previous row. After magnitude pruning most codes are the level near zero and whole columns (an
 * input pixel no unit listens to) are zero, so those two neighbours predict a code well and a
 * zero costs a small fraction of a bit, where Huffman coding would spend at least one.
 *
 * <p>Context sets: for bits ≤ 4, one per (left, above) pair, each neighbour a code or "none" at the
 * matrix edge; for bits ≤ 8, three (no left neighbour, left equals above, they differ); beyond, one.
 * Each probability is the mean of a fast and a slow adapting estimate, which follows a changing
 * distribution yet gets close to the entropy of a steady one. The stream needs no side tables;
 * encoding is deterministic, so the same codes always give the same bytes.
 */
public final class CodeStreamCoder {
  private static final int ONE = 1 << RangeEncoder.PROB_BITS;
  /** Probabilities are kept with this many bits, so slow adaptation still moves them. */
  private static final int STATE_BITS = 22;
  private static final int STATE_ONE = 1 << STATE_BITS;
  /** Observations after which a probability stops averaging and follows at rate 1/LIMIT. */
  private static final int LIMIT = 1023;
  private static final int MIN_P = 16;
  /** 2^16 / (n + 1.5): the step of a running mean after n observations. */
  private static final int[] RATE = new int[LIMIT + 1];

  static {
    for (int n = 0; n <= LIMIT; n++) {
      RATE[n] = (int) Math.round(65536 / (n + 1.5));
    }
  }

  private CodeStreamCoder() {}

  /**
   * Encodes {@code codes[off..off+n)}.
   *
   * @param bits bits per code, 1..16
   * @param rowLength codes per row (≤ 0: one row)
   * @return the coded bytes
   * @throws IllegalArgumentException if a code is outside [0, 2^bits)
   */
  public static byte[] encode(int[] codes, int off, int n, int bits, int rowLength) {
    Model model = new Model(bits, rowLength <= 0 ? Math.max(1, n) : rowLength);
    RangeEncoder enc = new RangeEncoder(n / 4);
    for (int i = 0; i < n; i++) {
      int s = codes[off + i];
      if (s < 0 || s >= model.k) {
        throw new IllegalArgumentException("code " + s + " at " + i + " does not fit in " + bits + " bits");
      }
      int base = model.contextBase(codes, off, i);
      int node = 1;
      for (int b = bits - 1; b >= 0; b--) {
        int bit = (s >>> b) & 1;
        enc.encode(bit, model.p0(base + node));
        model.update(base + node, bit);
        node = (node << 1) | bit;
      }
      model.saw(i, s);
    }
    return enc.finish();
  }

  /**
   * Decodes {@code n} codes into {@code out[outOff..outOff+n)}; arguments as {@link #encode}.
   *
   * @throws nnzip.InvalidInputException if the stream ends early or does not start as a stream does
   */
  public static void decode(byte[] in, int inOff, int inLen, int n, int bits, int rowLength, int[] out,
      int outOff) {
    Model model = new Model(bits, rowLength <= 0 ? Math.max(1, n) : rowLength);
    RangeDecoder dec = new RangeDecoder(in, inOff, inLen);
    for (int i = 0; i < n; i++) {
      int base = model.contextBase(out, outOff, i);
      int node = 1;
      for (int b = 0; b < bits; b++) {
        int bit = dec.decode(model.p0(base + node));
        model.update(base + node, bit);
        node = (node << 1) | bit;
      }
      out[outOff + i] = node - model.k;
      model.saw(i, node - model.k);
    }
  }

  /**
   * The adaptive probabilities, one per bit-tree node (index 1..k-1) of each context set, and the
   * per-column history the contexts read. A probability is the running mean of its node's bits
   * (a Krichevsky–Trofimov-like estimate) until {@link #LIMIT} observations, then a moving average.
   */
  private static final class Model {
    final int bits;
    final int k;
    final int row;
    final int neighbourSets;
    final int[] p;
    final short[] seen;
    /** Per column: its code in the first row, and whether every code below matched it so far. */
    final int[] columnFirst;
    final boolean[] columnConstant;

    Model(int bits, int row) {
      if (bits < 1 || bits > 16) {
        throw new IllegalArgumentException("bits must be in 1..16, got " + bits);
      }
      this.bits = bits;
      this.k = 1 << bits;
      this.row = row;
      this.neighbourSets = bits <= 4 ? (k + 1) * (k + 1) : bits <= 8 ? 3 : 1;
      p = new int[2 * neighbourSets * k];
      seen = new short[p.length];
      java.util.Arrays.fill(p, STATE_ONE / 2);
      columnFirst = new int[row];
      columnConstant = new boolean[row];
    }

    /** First index of the node probabilities for code i, from its left and upper neighbours and column. */
    int contextBase(int[] codes, int off, int i) {
      int col = i % row;
      int left = col == 0 ? -1 : codes[off + i - 1];
      int above = i < row ? -1 : codes[off + i - row];
      int c;
      if (bits <= 4) {
        c = (left + 1) * (k + 1) + above + 1;
      } else if (bits <= 8) {
        c = left < 0 ? 0 : left == above ? 1 : 2;
      } else {
        c = 0;
      }
      int constant = i >= row && columnConstant[col] ? 1 : 0;
      return (constant * neighbourSets + c) * k;
    }

    /** Records code s at position i in the column history. */
    void saw(int i, int s) {
      int col = i % row;
      if (i < row) {
        columnFirst[col] = s;
        columnConstant[col] = true;
      } else if (s != columnFirst[col]) {
        columnConstant[col] = false;
      }
    }

    int p0(int i) {
      int q = p[i] >>> (STATE_BITS - RangeEncoder.PROB_BITS);
      return Math.min(ONE - MIN_P, Math.max(MIN_P, q));
    }

    void update(int i, int bit) {
      int n = seen[i];
      long target = bit == 0 ? STATE_ONE : 0;
      p[i] += (int) (((target - p[i]) * RATE[n]) >> 16);
      if (n < LIMIT) {
        seen[i] = (short) (n + 1);
      }
    }
  }
}
