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
 *
 * <p>F16 parameters ({@link #toHalf}): min is rounded down and step up to F16 values so that the
 * rounded grid still covers [min, max]; every element's error is then at most half the rounded
 * step. They are used when the rounded step exceeds the exact one by at most 1/{@value
 * #HALF_STEP_SLACK} (so the error bound, and the MSE of a grid that covers the data, grow by at
 * most 1.6% and 3.2%), in every group of the tensor; a constant group needs its value exact in F16.
 */
public record UniformCodec(int bits) implements ScalarCodec {

  /** Parameter names as stored in the artifact. */
  public static final String MIN = "qmin";
  public static final String STEP = "qstep";

  /** F16 parameters are used when the rounded step is at most 1 + 1/this times the exact one. */
  public static final int HALF_STEP_SLACK = 64;

  public UniformCodec {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("uniform bits must be in 1..16, got " + bits);
    }
  }

  @Override
  public nnzip.codec.CodecKind kind() {
    return nnzip.codec.CodecKind.UNIFORM;
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
  public int parametersPerGroup() {
    return 2;
  }

  @Override
  public Quantizer toHalf(Quantizer exact) {
    UniformQuantizer q = (UniformQuantizer) exact;
    int levels = (1 << bits) - 1;
    float[] min = new float[q.min.length];
    float[] step = new float[q.step.length];
    for (int c = 0; c < min.length; c++) {
      float m = q.min[c];
      float s = q.step[c];
      if (s == 0f) {
        if (!nnzip.codec.Half.isExact(m)) {
          return null;
        }
        min[c] = m;
        continue;
      }
      double hi = m + (double) levels * s;
      float m16 = nnzip.codec.Half.down(m);
      float s16 = nnzip.codec.Half.up((float) ((hi - m16) / levels));
      // Decode computes min + code × step in float: make the top level reach hi there too.
      while (Float.isFinite(s16) && m16 + levels * s16 < (float) hi) {
        s16 = nnzip.codec.Half.up(Math.nextUp(s16));
      }
      if (!Float.isFinite(m16) || !Float.isFinite(s16) || s16 > s * (1 + 1.0 / HALF_STEP_SLACK)) {
        return null;
      }
      min[c] = m16;
      step[c] = s16;
    }
    return new UniformQuantizer(bits, q.layout, min, step);
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
