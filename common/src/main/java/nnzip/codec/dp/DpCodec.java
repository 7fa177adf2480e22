package nnzip.codec.dp;

import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.tensor.DType;

/**
 * Optimal scalar quantization (DP-Net, Yang et al.): each group of weights (channel, tensor, or the
 * whole model) gets the k = 2^bits levels that minimize the squared error exactly, found by
 * dynamic programming over the sorted values ({@link OptimalQuantizer1D}), not approximately as
 * Lloyd's k-means does. Tensors and the global scope are summarized by half-precision bit-pattern
 * histograms (lossless for F16/BF16 weights, so the result is exactly optimal there); channels keep
 * their raw values, so per-channel levels are exactly optimal for any dtype.
 *
 * <p>F16 levels ({@link #toHalf}): each level rounded to the nearest F16 value. They are used when,
 * in every group, each level moves by at most 1/{@value #HALF_GAP_FRACTION} of the gap to its
 * nearest distinct neighbour (an eighth of the half gap that bounds the code's own error for the
 * elements on that side), so levels stay distinct and ordered and a cluster's squared error grows by
 * at most its count × (gap/16)²; a group of one distinct level needs it exact in F16.
 *
 * @param bits bits per code, 1..16
 * @param bins most weighted points the DP runs on for a histogram-summarized group (tensor or global
 *     scope): the 65,536 half-precision pattern bins are merged into this many equal-width bins over
 *     their range when fewer are asked; 2..65,536, default 65,536 (lossless for F16/BF16 weights)
 */
public record DpCodec(int bits, int bins) implements ScalarCodec {
  /** Default number of bins: every half-precision pattern its own bin. */
  public static final int DEFAULT_BINS = 1 << 16;

  /** The codec with the default bins. */
  public DpCodec(int bits) {
    this(bits, DEFAULT_BINS);
  }

  /** Parameter name of the levels in the artifact: channels × 2^bits floats, row per channel. */
  public static final String LEVELS = "levels";

  /** F16 levels are used when each moves by at most 1/this of the gap to its nearest neighbour. */
  public static final int HALF_GAP_FRACTION = 16;

  public DpCodec {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("dp bits must be in 1..16, got " + bits);
    }
    if (bins < 2 || bins > DEFAULT_BINS) {
      throw new IllegalArgumentException("dp.bins must be in 2..65536, got " + bins);
    }
  }

  @Override
  public nnzip.codec.CodecKind kind() {
    return nnzip.codec.CodecKind.DP;
  }

  @Override
  public Summary newSummary(TensorLayout layout, DType dtype) {
    return new DpSummary(layout.channels(), layout, DpSummary.formatFor(dtype));
  }

  @Override
  public Quantizer fit(Summary summary) {
    if (!(summary instanceof DpSummary s)) {
      throw new IllegalArgumentException("dp codec cannot fit a " + summary.getClass().getSimpleName());
    }
    int k = 1 << bits;
    Codebook[] books = new Codebook[s.channels()];
    for (int c = 0; c < books.length; c++) {
      WeightedPoints points = s.channels() == 1 ? rebin(s.points(c), bins) : s.points(c);
      books[c] = points.size() == 0 ? Codebook.of(new float[] {0f}) : OptimalQuantizer1D.solve(points, k).codebook();
    }
    return new DpQuantizer(bits, s.layout(), books);
  }

  /**
   * Merges sorted weighted points into at most {@code bins} equal-width bins over their range; each
   * merged bin keeps its total weight and mean, and its spread goes into the constant SSE, so any
   * partition's reported SSE stays the SSE of the underlying values.
   */
  static WeightedPoints rebin(WeightedPoints p, int bins) {
    int n = p.size();
    if (n <= bins) {
      return p;
    }
    double lo = p.value(0);
    double width = (p.value(n - 1) - lo) / bins;
    double[] values = new double[bins];
    double[] weights = new double[bins];
    double constant = p.constantSse();
    int out = 0;
    int i = 0;
    while (i < n) {
      int bin = Math.min(bins - 1, (int) ((p.value(i) - lo) / width));
      int j = i;
      double w = 0;
      double wx = 0;
      while (j < n && Math.min(bins - 1, (int) ((p.value(j) - lo) / width)) == bin) {
        w += p.weight(j);
        wx += p.weight(j) * p.value(j);
        j++;
      }
      double mean = wx / w;
      for (int t = i; t < j; t++) {
        double d = p.value(t) - mean;
        constant += p.weight(t) * d * d; // two passes: exact up to rounding, no cancellation
      }
      values[out] = mean;
      weights[out++] = w;
      i = j;
    }
    return WeightedPoints.of(java.util.Arrays.copyOf(values, out), java.util.Arrays.copyOf(weights, out), constant);
  }

  @Override
  public int parametersPerGroup() {
    return 1 << bits;
  }

  @Override
  public Quantizer toHalf(Quantizer exact) {
    DpQuantizer q = (DpQuantizer) exact;
    Codebook[] books = new Codebook[q.books().length];
    for (int c = 0; c < books.length; c++) {
      float[] levels = q.books()[c].levels();
      float[] rounded = new float[levels.length];
      for (int i = 0; i < levels.length; i++) {
        rounded[i] = nnzip.codec.Half.nearest(levels[i]);
        if (!Float.isFinite(rounded[i])) {
          return null;
        }
        double gap = Double.POSITIVE_INFINITY;
        for (int j = i - 1; j >= 0 && gap == Double.POSITIVE_INFINITY; j--) {
          gap = levels[j] < levels[i] ? (double) levels[i] - levels[j] : gap;
        }
        for (int j = i + 1; j < levels.length; j++) {
          if (levels[j] > levels[i]) {
            gap = Math.min(gap, (double) levels[j] - levels[i]);
            break;
          }
        }
        double moved = Math.abs((double) rounded[i] - levels[i]);
        if (gap == Double.POSITIVE_INFINITY ? moved > 0 : moved > gap / HALF_GAP_FRACTION) {
          return null;
        }
      }
      books[c] = Codebook.of(rounded); // rounding to nearest is monotone: still ascending
    }
    return new DpQuantizer(bits, q.layout(), books);
  }

  @Override
  public Quantizer restore(TensorLayout layout, Map<String, float[]> parameters) {
    float[] levels = parameters.get(LEVELS);
    int k = 1 << bits;
    if (levels == null || levels.length != (long) layout.channels() * k) {
      throw new InvalidInputException("dp codec needs parameter '" + LEVELS + "' of " + layout.channels() + " × " + k
          + " values, got " + (levels == null ? "none" : Integer.toString(levels.length)));
    }
    Codebook[] books = new Codebook[layout.channels()];
    for (int c = 0; c < books.length; c++) {
      float[] row = java.util.Arrays.copyOfRange(levels, c * k, (c + 1) * k);
      try {
        books[c] = Codebook.of(row);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("dp levels of channel " + c + " are invalid: " + e.getMessage());
      }
    }
    return new DpQuantizer(bits, layout, books);
  }

  /** Per-channel codebooks; levels padded to 2^bits per channel by repeating the top level. */
  record DpQuantizer(int bits, TensorLayout layout, Codebook[] books) implements Quantizer {
    @Override
    public void encode(float[] values, int n, long first, int[] codes) {
      if (books.length == 1) {
        books[0].encode(values, n, codes);
        return;
      }
      for (int i = 0; i < n; i++) {
        codes[i] = books[layout.channelOf(first + i)].encode(values[i]);
      }
    }

    @Override
    public void decode(int[] codes, int n, long first, float[] out) {
      for (int i = 0; i < n; i++) {
        Codebook b = books.length == 1 ? books[0] : books[layout.channelOf(first + i)];
        out[i] = b.decode(Math.min(codes[i], b.size() - 1));
      }
    }

    @Override
    public Map<String, float[]> parameters() {
      int k = 1 << bits;
      float[] levels = new float[books.length * k];
      for (int c = 0; c < books.length; c++) {
        float[] l = books[c].levels();
        System.arraycopy(l, 0, levels, c * k, l.length);
        java.util.Arrays.fill(levels, c * k + l.length, (c + 1) * k, l[l.length - 1]);
      }
      Map<String, float[]> p = new LinkedHashMap<>();
      p.put(LEVELS, levels);
      return p;
    }
  }
}
