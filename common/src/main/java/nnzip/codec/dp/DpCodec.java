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
 * @param bits bits per code, 1..16
 */
public record DpCodec(int bits) implements ScalarCodec {
  /** Parameter name of the levels in the artifact: channels × 2^bits floats, row per channel. */
  public static final String LEVELS = "levels";

  public DpCodec {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("dp bits must be in 1..16, got " + bits);
    }
  }

  @Override
  public String name() {
    return "dp";
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
      WeightedPoints points = s.points(c);
      books[c] = points.size() == 0 ? Codebook.of(new float[] {0f}) : OptimalQuantizer1D.solve(points, k).codebook();
    }
    return new DpQuantizer(bits, s.layout(), books);
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
