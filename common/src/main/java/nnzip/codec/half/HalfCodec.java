package nnzip.codec.half;

import java.util.Map;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.tensor.FloatCodec;

/**
 * IEEE binary16 (F16): each value rounded to the nearest F16 (ties to even), its 16 bits the code.
 * No parameters and no fit. What a tensor needs whose every element matters on its own scale, where
 * min–max or k-means levels shared by the tensor would not do: BatchNorm's running mean and
 * variance, whose small entries set a channel's whole output scale (coded with uniform 8-bit levels
 * on the PaddleOCR detector they flipped 6% of its thresholded pixels). The relative rounding error
 * is at most 2^-11 in F16's normal range; below it (|x| < 2^-14) the absolute error is at most 2^-25,
 * far below BatchNorm's epsilon. Values beyond ±65504 would become infinite: {@link #fits} says
 * whether a tensor may use this codec.
 */
public record HalfCodec() implements ScalarCodec {

  /** The largest finite F16 value. */
  public static final float MAX = 65504f;

  @Override
  public CodecKind kind() {
    return CodecKind.HALF;
  }

  @Override
  public int bits() {
    return 16;
  }

  /**
   * Whether every value of a tensor with this mean and (population) variance over {@code n} values
   * is within F16's finite range: by Samuelson's inequality no value lies further than
   * sqrt((n − 1) · variance) from the mean.
   */
  public static boolean fits(double mean, double variance, long n) {
    double bound = Math.abs(mean) + Math.sqrt(Math.max(0, n - 1) * Math.max(0, variance));
    return bound <= MAX;
  }

  @Override
  public Summary newSummary(TensorLayout layout, nnzip.tensor.DType dtype) {
    return NoSummary.INSTANCE;
  }

  @Override
  public Quantizer fit(Summary summary) {
    if (!(summary instanceof NoSummary)) {
      throw new IllegalArgumentException("half codec cannot fit a " + summary.getClass().getSimpleName());
    }
    return HalfQuantizer.INSTANCE;
  }

  @Override
  public int parametersPerGroup() {
    return 0;
  }

  @Override
  public Quantizer restore(TensorLayout layout, Map<String, float[]> parameters) {
    return HalfQuantizer.INSTANCE;
  }

  /** Nothing to summarize: every value is coded on its own. */
  enum NoSummary implements Summary {
    INSTANCE;

    @Override
    public void add(float[] values, int n, long first) {}

    @Override
    public Summary merge(Summary other) {
      return this;
    }
  }

  /** Codes are F16 bit patterns. */
  enum HalfQuantizer implements Quantizer {
    INSTANCE;

    @Override
    public int bits() {
      return 16;
    }

    @Override
    public void encode(float[] values, int n, long first, int[] codes) {
      for (int i = 0; i < n; i++) {
        codes[i] = FloatCodec.floatToHalf(values[i]) & 0xffff;
      }
    }

    @Override
    public void decode(int[] codes, int n, long first, float[] out) {
      for (int i = 0; i < n; i++) {
        out[i] = FloatCodec.halfToFloat((short) codes[i]);
      }
    }

    @Override
    public Map<String, float[]> parameters() {
      return Map.of();
    }
  }
}
