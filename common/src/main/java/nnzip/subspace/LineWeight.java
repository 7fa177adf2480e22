package nnzip.subspace;

import java.util.Arrays;
import nnzip.codec.ScalarCodec;
import nnzip.train.WeightBinding;

/**
 * A weight on the line: its parameter holds [w0 (n values) | w1 (n values) | α | lowest kept
 * fraction], the weight is {@link PointCompression#apply} of w(α) = (1 − α)·w0 + α·w1. α and the
 * lowest fraction are written each step by {@link LineTraining} (their gradient is zero, so the
 * optimizer leaves them); a GLOBAL_MAGNITUDE weight's last slot holds instead its kept count k in the
 * model's ranking at that α ({@link GlobalMagnitude#slot}), and its point keeps its top k; dL/dw0 = (1 − α)·m⊙dL/dw and dL/dw1 = α·m⊙dL/dw, m the point's mask
 * (all ones for quantization: the straight-through estimator). With a {@code storedDifference}
 * codec the point sees w0 as the artifact stores it, w1 + Q(w0 − w1) ({@link #stored}), straight
 * through Q: the gradients stay the same, the forward is the stored line's (quantization-aware
 * training).
 *
 * @param parameter the parameter's name
 * @param shape the weight's shape
 * @param compression what a point does to it
 * @param storedDifference null: w0 as trained; else the codec the artifact stores w0 − w1 with
 */
public record LineWeight(String parameter, long[] shape, PointCompression compression, ScalarCodec storedDifference)
    implements WeightBinding.Extension {
  private static final long serialVersionUID = 1L;

  /** Prefix of line parameter names, followed by the weight's key. */
  public static final String PREFIX = "nnzip.line:";

  /** A weight whose point sees w0 as trained. */
  public LineWeight(String parameter, long[] shape, PointCompression compression) {
    this(parameter, shape, compression, null);
  }

  /**
   * w0 as a line stores it: w1 + Q(w0 − w1), Q the codec fitted per channel along the first axis
   * (the codec's channel axis for a tensor no operator consumes).
   *
   * @param w0 length n; {@code w1} the same
   */
  public static float[] stored(float[] w0, float[] w1, long[] shape, ScalarCodec codec) {
    float[] d = new float[w0.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = w0[i] - w1[i];
    }
    float[] q = PointCompression.quantize(d, shape, 0, codec);
    for (int i = 0; i < q.length; i++) {
      q[i] += w1[i];
    }
    return q;
  }

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
    return decodeForGradient(param, null).weight();
  }

  /**
   * The point, and its mask: the elements a magnitude or channel point keeps (null when it keeps
   * all). With a {@code storedDifference}, w0 as stored is {@link WeightBinding.Reusable}: a later
   * point of the same endpoints (the sandwich rule's points of one step) reuses it instead of fitting
   * the codec again.
   */
  @Override
  public Decoded decodeForGradient(float[] param, Decoded previous) {
    int n = check(param);
    float alpha = param[2 * n];
    float[] w1 = Arrays.copyOfRange(param, n, 2 * n);
    // Carried through α = 1 too (which needs no stored w0), so the sandwich's inner points still find it.
    WeightBinding.Reusable reusable = previous != null && previous.reusable() != null
        && previous.reusable().fits(param) ? previous.reusable() : null;
    float[] w0;
    if (storedDifference != null && alpha != 1f) {
      if (reusable == null) {
        reusable = new WeightBinding.Reusable(Arrays.copyOf(param, 2 * n),
            stored(Arrays.copyOf(param, n), w1, shape, storedDifference));
      }
      w0 = reusable.value();
    } else {
      w0 = Arrays.copyOf(param, n);
    }
    float[] point = point(w0, w1, alpha);
    return switch (compression.mode()) {
      case GLOBAL_MAGNITUDE -> {
        boolean[] kept = new boolean[n];
        yield new Decoded(PointCompression.keepLargest(point, keptCount(param, n), kept), kept, reusable);
      }
      case MAGNITUDE, CHANNELS -> {
        boolean[] kept = new boolean[n];
        yield new Decoded(compression.apply(point, shape, alpha, param[2 * n + 1], kept), kept, reusable);
      }
      case NONE, BITS -> new Decoded(compression.apply(point, shape, alpha, param[2 * n + 1], null), null, reusable);
    };
  }

  @Override
  public void addGradient(float[] param, float[] weightGrad, float[] paramGrad) {
    addGradient(param, decodeForGradient(param, null), weightGrad, paramGrad);
  }

  /** dL/dw0 = (1 − α)·m⊙dL/dw, dL/dw1 = α·m⊙dL/dw, m the decode's mask (all ones without one). */
  @Override
  public void addGradient(float[] param, Decoded decoded, float[] weightGrad, float[] paramGrad) {
    int n = check(param);
    float alpha = param[2 * n];
    boolean[] kept = decoded.kept();
    float a0 = 1 - alpha;
    for (int i = 0; i < n; i++) {
      if (kept == null || kept[i]) {
        paramGrad[i] += a0 * weightGrad[i];
        paramGrad[n + i] += alpha * weightGrad[i];
      }
    }
  }

  /**
   * The endpoints as this weight's points see them, {w0, w1}: w0 as stored with a
   * {@code storedDifference} (w1 + Q(w0 − w1)), else as trained: {@link #point} of them at α is the
   * point {@link #decode} compresses, bit for bit (α = 1 gives w1 either way), which a global ranking
   * ranks.
   *
   * @param param length 2n + 2
   */
  float[][] endpointsSeen(float[] param) {
    int n = check(param);
    float[] w0 = Arrays.copyOf(param, n);
    float[] w1 = Arrays.copyOfRange(param, n, 2 * n);
    return new float[][] {storedDifference == null ? w0 : stored(w0, w1, shape, storedDifference), w1};
  }

  /** The kept count a GLOBAL_MAGNITUDE parameter carries in its last slot. */
  private int keptCount(float[] param, int n) {
    int k = GlobalMagnitude.count(param[2 * n + 1]);
    if (k < 0 || k > n) {
      throw new IllegalStateException("line parameter '" + parameter + "' carries no kept count of its " + n
          + " elements (slot bits " + k + "): LineTraining writes it each step");
    }
    return k;
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
