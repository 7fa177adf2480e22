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
  // One histogram per half format, indexed by ordinal: a global summary can mix F16 and BF16 tensors.
  private final HalfHistogram[] histograms;
  private final float[][] values;
  private final int[] sizes;

  DpSummary(int channels, TensorLayout layout, HalfFormat format) {
    this.layout = layout;
    if (channels == 1) {
      histograms = new HalfHistogram[HalfFormat.values().length];
      histograms[format.ordinal()] = new HalfHistogram(format);
      values = null;
      sizes = null;
    } else {
      histograms = null;
      values = new float[channels][];
      sizes = new int[channels];
    }
  }

  /** The lossless pattern format for F16/BF16; F16 patterns (with exact residual sums) otherwise. */
  static HalfFormat formatFor(DType dtype) {
    return dtype == DType.BF16 ? HalfFormat.BF16 : HalfFormat.F16;
  }

  int channels() {
    return histograms != null ? 1 : values.length;
  }

  TensorLayout layout() {
    return layout;
  }

  /** The weighted points of a channel (channel 0 for the histogram). */
  WeightedPoints points(int channel) {
    if (histograms != null) {
      return histogramPoints();
    }
    float[] v = values[channel] == null ? new float[0] : values[channel];
    return WeightedPoints.of(v, sizes[channel]);
  }

  @Override
  public void add(float[] x, int n, long first) {
    if (histograms != null) {
      for (HalfHistogram h : histograms) {
        if (h != null) {
          try {
            h.add(x, n); // a fresh summary holds exactly one histogram
          } catch (IllegalArgumentException e) {
            throw new nnzip.InvalidInputException("dp cannot bin this tensor by half-precision pattern ("
                + e.getMessage() + "); use dp.scope=channel, which keeps raw values, or codec=uniform");
          }
          return;
        }
      }
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
    if (histograms != null) {
      HalfHistogram[] merged = new HalfHistogram[histograms.length];
      for (int f = 0; f < merged.length; f++) {
        HalfHistogram a = histograms[f];
        HalfHistogram b = o.histograms[f];
        merged[f] = a == null ? b : b == null ? a : a.merge(b);
      }
      return new DpSummary(layout, merged);
    }
    DpSummary m = new DpSummary(channels(), layout, HalfFormat.F16);
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

  /** The points of every histogram; equal values from different formats combine. */
  private WeightedPoints histogramPoints() {
    WeightedPoints only = null;
    int present = 0;
    for (HalfHistogram h : histograms) {
      if (h != null) {
        only = h.toPoints();
        present++;
      }
    }
    if (present == 1) {
      return only;
    }
    java.util.List<Double> vs = new java.util.ArrayList<>();
    java.util.List<Double> ws = new java.util.ArrayList<>();
    double constant = 0;
    for (HalfHistogram h : histograms) {
      if (h != null) {
        WeightedPoints p = h.toPoints();
        for (int i = 0; i < p.size(); i++) {
          vs.add(p.value(i));
          ws.add(p.weight(i));
        }
        constant += p.constantSse();
      }
    }
    return WeightedPoints.of(vs.stream().mapToDouble(Double::doubleValue).toArray(),
        ws.stream().mapToDouble(Double::doubleValue).toArray(), constant);
  }

  private DpSummary(TensorLayout layout, HalfHistogram[] histograms) {
    this.layout = layout;
    this.histograms = histograms;
    this.values = null;
    this.sizes = null;
  }
}
