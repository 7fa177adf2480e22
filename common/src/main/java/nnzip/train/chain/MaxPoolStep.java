package nnzip.train.chain;

import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max pooling that remembers where each maximum came from (the first of equal values, in window
 * order), so the backward pass routes each output gradient to that one input.
 */
final class MaxPoolStep implements WeightlessStep {
  private final ChainLayer.MaxPool layer;
  private final int n;
  private final INDArray y;
  private final INDArray gx;
  /** Per output element, the index of its maximum within the input, or -1 for an all-padding window. */
  private final int[] argmax;
  private float[] scratch;
  private final float[] pooled;

  MaxPoolStep(ChainLayer.MaxPool layer, int n) {
    this.layer = layer;
    this.n = n;
    this.y = Nd4j.create(DataType.FLOAT, n, layer.outSize());
    int[] in = layer.in();
    this.gx = Nd4j.create(DataType.FLOAT, n, (long) in[0] * in[1] * in[2]);
    this.argmax = new int[n * layer.outSize()];
    this.pooled = new float[n * layer.outSize()];
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    int[] in = layer.in();
    int[] out = layer.out();
    int kh = layer.kernel()[0];
    int kw = layer.kernel()[1];
    scratch = Kernels.read(x, scratch);
    float[] src = scratch;
    float[] dst = pooled;
    int planes = n * in[0];
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * in[1] * in[2];
      for (int oy = 0; oy < out[1]; oy++) {
        int y0 = oy * layer.strides()[0] - layer.pads()[0];
        for (int ox = 0; ox < out[2]; ox++, o++) {
          int x0 = ox * layer.strides()[1] - layer.pads()[1];
          float best = Float.NEGATIVE_INFINITY;
          int at = -1;
          for (int ky = Math.max(0, -y0); ky < kh && y0 + ky < in[1]; ky++) {
            int row = base + (y0 + ky) * in[2];
            for (int kx = Math.max(0, -x0); kx < kw && x0 + kx < in[2]; kx++) {
              float v = src[row + x0 + kx];
              if (at < 0 || v > best) {
                best = v;
                at = row + x0 + kx;
              }
            }
          }
          argmax[o] = at;
          dst[o] = at < 0 ? 0f : best;
        }
      }
    }
    Kernels.write(dst, y);
    return y;
  }

  @Override
  public INDArray inputGradient(INDArray gy) {
    float[] g = Kernels.read(gy, pooled);
    float[] dst = scratch; // the input's values are no longer needed
    java.util.Arrays.fill(dst, 0f);
    for (int o = 0; o < argmax.length; o++) {
      if (argmax[o] >= 0) {
        dst[argmax[o]] += g[o];
      }
    }
    Kernels.write(dst, gx);
    return gx;
  }
}
