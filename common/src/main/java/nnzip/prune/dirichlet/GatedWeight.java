package nnzip.prune.dirichlet;

import java.util.Arrays;
import nnzip.train.WeightBinding;

/**
 * A frozen weight whose output channels are scaled by a layer's Dirichlet gates: element i becomes
 * w_i·s_c for its channel c along {@code axis}, s = C·g (see {@link DirichletGate}). For a tensor
 * whose channel slices enter the layer's output linearly (a Conv or Gemm weight and its bias, or a
 * BatchNormalization's scale and shift) this is the same as scaling the output channels, so the
 * gate trains through any engine that gives weight gradients: dL/ds_c = Σ_{i in c} dL/dw'_i·w_i.
 * The parameter is [p (C values) | u (C values)]: u in (0, 1) samples g ~ Dir(φ) at those
 * uniforms, u ≤ 0 takes the point estimate ({@link DirichletGates} writes u each step; the
 * optimizer leaves it alone since its gradient is zero).
 *
 * @param parameter name of the gate parameter (2·C values)
 * @param channels C
 * @param axis the channel axis of the weight (0 for Conv, Gemm transB=1, biases, BatchNorm; 1 for a
 *     MatMul or Gemm transB=0 weight [in, out])
 * @param weight the frozen weight, row-major
 * @param shape its shape
 */
public record GatedWeight(String parameter, int channels, int axis, float[] weight, long[] shape)
    implements WeightBinding.Extension {
  private static final long serialVersionUID = 1L;

  /** Checks that the channel axis has C entries and the values fill the shape. */
  public GatedWeight {
    if (axis < 0 || axis >= shape.length || shape[axis] != channels) {
      throw new IllegalArgumentException("weight of shape " + Arrays.toString(shape) + " has no axis " + axis
          + " of " + channels + " channels");
    }
    long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    if (n != weight.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
          + weight.length);
    }
  }

  /** Elements between consecutive indices along the channel axis. */
  private int stride() {
    long s = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      s *= shape[d];
    }
    return Math.toIntExact(s);
  }

  @Override
  public float[] decode(float[] param) {
    double[] s = DirichletGate.scales(gates(param), uniforms(param));
    int stride = stride();
    float[] w = new float[weight.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (weight[i] * s[(i / stride) % channels]);
    }
    return w;
  }

  @Override
  public void addGradient(float[] param, float[] weightGrad, float[] paramGrad) {
    int stride = stride();
    double[] dScale = new double[channels];
    for (int i = 0; i < weight.length; i++) {
      dScale[(i / stride) % channels] += (double) weightGrad[i] * weight[i];
    }
    DirichletGate.addGradient(gates(param), uniforms(param), dScale, paramGrad);
  }

  /** The gate parameters p: the first C values. */
  float[] gates(float[] param) {
    if (param.length != 2 * channels) {
      throw new IllegalArgumentException("gate parameter '" + parameter + "' needs " + 2 * channels + " values, got "
          + param.length);
    }
    return Arrays.copyOf(param, channels);
  }

  /** The uniforms of this step, or null for the point estimate. */
  static double[] uniforms(float[] param) {
    int c = param.length / 2;
    if (!(param[c] > 0)) {
      return null;
    }
    double[] u = new double[c];
    for (int i = 0; i < c; i++) {
      u[i] = param[c + i];
    }
    return u;
  }
}
