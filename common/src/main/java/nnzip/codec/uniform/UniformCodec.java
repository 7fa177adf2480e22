package nnzip.codec.uniform;

import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;

/**
 * Min–max linear quantization with 2^bits evenly spaced levels per group (channel or tensor):
 * level i = min + i × step, step = (max − min) / (2^bits − 1). The baseline every other codec is
 * measured against; its error is at most half a step per element.
 */
public record UniformCodec(int bits) implements ScalarCodec {

  /** Parameter names as stored in the artifact. */
  public static final String MIN = "qmin";
  public static final String STEP = "qstep";

  public UniformCodec {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("uniform bits must be in 1..16, got " + bits);
    }
  }

  @Override
  public String name() {
    return "uniform";
  }

  @Override
  public Summary newSummary(TensorLayout layout, nnzip.tensor.DType dtype) {
    return new ChannelRange(layout);
  }

  @Override
  public Quantizer fit(Summary summary) {
    if (!(summary instanceof ChannelRange range)) {
      throw new IllegalArgumentException("uniform codec cannot fit a " + summary.getClass().getSimpleName());
    }
    int channels = range.layout().channels();
    float[] min = new float[channels];
    float[] step = new float[channels];
    int levels = (1 << bits) - 1;
    for (int c = 0; c < channels; c++) {
      float lo = range.min(c);
      float hi = range.max(c);
      if (lo > hi) { // empty channel
        lo = 0f;
        hi = 0f;
      }
      min[c] = lo;
      step[c] = (float) (((double) hi - lo) / levels);
    }
    return new UniformQuantizer(bits, range.layout(), min, step);
  }

  @Override
  public Quantizer restore(TensorLayout layout, Map<String, float[]> parameters) {
    float[] min = parameters.get(MIN);
    float[] step = parameters.get(STEP);
    if (min == null || step == null) {
      throw new InvalidInputException("uniform codec needs parameters " + MIN + " and " + STEP);
    }
    if (min.length != layout.channels() || step.length != layout.channels()) {
      throw new InvalidInputException("uniform parameters have " + min.length + "/" + step.length
          + " values for " + layout.channels() + " channels");
    }
    return new UniformQuantizer(bits, layout, min.clone(), step.clone());
  }

  /** The fitted quantizer: per-group minimum and step. */
  record UniformQuantizer(int bits, TensorLayout layout, float[] min, float[] step) implements Quantizer {
    @Override
    public void encode(float[] values, int n, long first, int[] codes) {
      int maxCode = (1 << bits) - 1;
      for (int i = 0; i < n; i++) {
        int c = layout.channelOf(first + i);
        float s = step[c];
        int q = s == 0f ? 0 : (int) Math.rint((values[i] - min[c]) / s);
        codes[i] = Math.max(0, Math.min(maxCode, q));
      }
    }

    @Override
    public void decode(int[] codes, int n, long first, float[] out) {
      for (int i = 0; i < n; i++) {
        int c = layout.channelOf(first + i);
        out[i] = min[c] + codes[i] * step[c];
      }
    }

    @Override
    public Map<String, float[]> parameters() {
      Map<String, float[]> p = new LinkedHashMap<>();
      p.put(MIN, min.clone());
      p.put(STEP, step.clone());
      return p;
    }
  }
}
