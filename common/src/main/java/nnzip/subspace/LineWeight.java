package nnzip.subspace;

import java.util.Arrays;
import nnzip.train.WeightBinding;

/**
 * A weight on the line: its parameter holds [w0 (n values) | w1 (n values) | α | lowest kept
 * fraction], the weight is {@link PointCompression#apply} of w(α) = (1 − α)·w0 + α·w1. α and the
 * lowest fraction are written each step by {@link LineTraining} (their gradient is zero, so the
 * optimizer leaves them); dL/dw0 = (1 − α)·m⊙dL/dw and dL/dw1 = α·m⊙dL/dw, m the point's mask
 * (all ones for quantization: the straight-through estimator).
 *
 * @param parameter the parameter's name
 * @param shape the weight's shape
 * @param compression what a point does to it
 */
public record LineWeight(String parameter, long[] shape, PointCompression compression)
    implements WeightBinding.Extension {
  private static final long serialVersionUID = 1L;

  /** Prefix of line parameter names, followed by the weight's key. */
  public static final String PREFIX = "nnzip.line:";

  /** Number of weight elements n. */
  public int elements() {
    return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
  }

  /** The parameter's length, 2n + 2. */
  public int parameterLength() {
    return 2 * elements() + 2;
  }

  /**
   * w(α) = (1 − α)·w0 + α·w1 in float arithmetic: exactly w0 at α = 0 and w1 at α = 1.
   *
   * @param w0 length n; {@code w1} the same
   */
  public static float[] point(float[] w0, float[] w1, float alpha) {
    return Line.point(w0, w1, alpha);
  }


  /** The parameter for these endpoints at α = 1, lowest kept fraction 1. */
  public static float[] parameter(float[] w0, float[] w1) {
    float[] p = Arrays.copyOf(w0, 2 * w0.length + 2);
    System.arraycopy(w1, 0, p, w0.length, w1.length);
    p[2 * w0.length] = 1f;
    p[2 * w0.length + 1] = 1f;
    return p;
  }

  @Override
  public float[] decode(float[] param) {
    int n = check(param);
    return compression.apply(point(Arrays.copyOf(param, n), Arrays.copyOfRange(param, n, 2 * n), param[2 * n]), shape,
        param[2 * n], param[2 * n + 1], null);
  }

  @Override
  public void addGradient(float[] param, float[] weightGrad, float[] paramGrad) {
    int n = check(param);
    float alpha = param[2 * n];
    boolean[] kept = null;
    if (compression.mode() == PointCompression.Mode.MAGNITUDE || compression.mode() == PointCompression.Mode.CHANNELS) {
      kept = new boolean[n];
      compression.apply(point(Arrays.copyOf(param, n), Arrays.copyOfRange(param, n, 2 * n), alpha), shape, alpha,
          param[2 * n + 1], kept);
    }
    float a0 = 1 - alpha;
    for (int i = 0; i < n; i++) {
      if (kept == null || kept[i]) {
        paramGrad[i] += a0 * weightGrad[i];
        paramGrad[n + i] += alpha * weightGrad[i];
      }
    }
  }

  private int check(float[] param) {
    int n = elements();
    if (param.length != 2 * n + 2) {
      throw new IllegalArgumentException("line parameter '" + parameter + "' needs " + (2 * n + 2) + " values, got "
          + param.length);
    }
    return n;
  }
}
