package nnzip.codec.uniform;

import java.util.Arrays;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;

/** Per-group minimum and maximum: the summary the uniform codec fits on. */
final class ChannelRange implements ScalarCodec.Summary {
  private static final long serialVersionUID = 1L;
  private final TensorLayout layout;
  private final float[] min;
  private final float[] max;

  ChannelRange(TensorLayout layout) {
    this.layout = layout;
    this.min = new float[layout.channels()];
    this.max = new float[layout.channels()];
    Arrays.fill(min, Float.POSITIVE_INFINITY);
    Arrays.fill(max, Float.NEGATIVE_INFINITY);
  }

  TensorLayout layout() {
    return layout;
  }

  float min(int channel) {
    return min[channel];
  }

  float max(int channel) {
    return max[channel];
  }

  @Override
  public void add(float[] values, int n, long first) {
    for (int i = 0; i < n; i++) {
      int c = layout.channelOf(first + i);
      float v = values[i];
      if (v < min[c]) {
        min[c] = v;
      }
      if (v > max[c]) {
        max[c] = v;
      }
    }
  }

  @Override
  public ScalarCodec.Summary merge(ScalarCodec.Summary other) {
    ChannelRange o = (ChannelRange) other;
    if (o.layout.channels() != layout.channels()) {
      throw new IllegalArgumentException("cannot merge ranges of layouts " + layout + " and " + o.layout);
    }
    ChannelRange r = new ChannelRange(layout);
    for (int c = 0; c < min.length; c++) {
      r.min[c] = Math.min(min[c], o.min[c]);
      r.max[c] = Math.max(max[c], o.max[c]);
    }
    return r;
  }
}
