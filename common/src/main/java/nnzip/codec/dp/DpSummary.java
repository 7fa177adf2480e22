package nnzip.codec.dp;

import java.util.Arrays;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.tensor.DType;

/**
 * What the dp codec fits on: one half-precision bit-pattern histogram when the whole tensor (or
 * model) shares one codebook, or each channel's raw values when channels get their own. Merging is
 * exact (integer histogram sums; channel values are sorted before solving), so the fitted levels
 * never depend on the order shards were merged in.
 */
final class DpSummary implements ScalarCodec.Summary {
  private static final long serialVersionUID = 1L;
  private final TensorLayout layout;
  private final HalfHistogram histogram;
  private final float[][] values;
  private final int[] sizes;

  DpSummary(int channels, TensorLayout layout, HalfFormat format) {
    this.layout = layout;
    if (channels == 1) {
      histogram = new HalfHistogram(format);
      values = null;
      sizes = null;
    } else {
      histogram = null;
      values = new float[channels][];
      sizes = new int[channels];
    }
  }

  /** The lossless pattern format for F16/BF16; F16 patterns (with exact residual sums) otherwise. */
  static HalfFormat formatFor(DType dtype) {
    return dtype == DType.BF16 ? HalfFormat.BF16 : HalfFormat.F16;
  }

  int channels() {
    return histogram != null ? 1 : values.length;
  }

  TensorLayout layout() {
    return layout;
  }

  /** The weighted points of a channel (channel 0 for the histogram). */
  WeightedPoints points(int channel) {
    if (histogram != null) {
      return histogram.toPoints();
    }
    float[] v = values[channel] == null ? new float[0] : values[channel];
    return WeightedPoints.of(v, sizes[channel]);
  }

  @Override
  public void add(float[] x, int n, long first) {
    if (histogram != null) {
      histogram.add(x, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      int c = layout.channelOf(first + i);
      float[] v = values[c];
      if (v == null || sizes[c] == v.length) {
        v = values[c] = Arrays.copyOf(v == null ? new float[0] : v, Math.max(16, sizes[c] * 2));
      }
      v[sizes[c]++] = x[i];
    }
  }

  @Override
  public ScalarCodec.Summary merge(ScalarCodec.Summary other) {
    DpSummary o = (DpSummary) other;
    if (o.channels() != channels()) {
      throw new IllegalArgumentException("cannot merge dp summaries of " + channels() + " and " + o.channels() + " channels");
    }
    DpSummary m = new DpSummary(channels(), layout, histogram != null ? histogram.format() : HalfFormat.F16);
    if (histogram != null) {
      return m.withHistogram(histogram.merge(o.histogram));
    }
    for (int c = 0; c < values.length; c++) {
      float[] v = new float[sizes[c] + o.sizes[c]];
      if (sizes[c] > 0) {
        System.arraycopy(values[c], 0, v, 0, sizes[c]);
      }
      if (o.sizes[c] > 0) {
        System.arraycopy(o.values[c], 0, v, sizes[c], o.sizes[c]);
      }
      m.values[c] = v;
      m.sizes[c] = v.length;
    }
    return m;
  }

  private DpSummary withHistogram(HalfHistogram h) {
    return new DpSummary(layout, h);
  }

  private DpSummary(TensorLayout layout, HalfHistogram h) {
    this.layout = layout;
    this.histogram = h;
    this.values = null;
    this.sizes = null;
  }
}
