package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution as one matrix product over the whole batch: the input is laid out as columns
 * [K = inC·kH·kW, n·P] (P output positions per example, zero where the window reaches into the
 * padding), so y = W[outC, K]·cols, ∂W = ∂y·colsᵀ and ∂cols = Wᵀ·∂y, which is folded back onto the
 * input. libnd4j's conv2d_bp measured 10× slower than this on LeNet-5's shapes (it does not batch
 * the products), which is why these kernels exist; the layout moves are Java loops over arrays.
 */
final class ConvStep implements Step {
  private final ChainLayer.Conv layer;
  private final int n;
  private final int k;
  private final int p;
  private final int outC;
  /** [K, n·P]: the columns, and later the columns' gradient. */
  private final INDArray cols;
  /** [outC, n·P]: the product's result, and later the output gradient in the same layout. */
  private final INDArray yT;
  private final INDArray y;
  private final INDArray gw;
  private final INDArray gx;
  /** Java staging arrays, shared with the other steps of the engine (each use is over when a pass returns). */
  private final Scratch scratch;

  ConvStep(ChainLayer.Conv layer, int n, Scratch scratch) {
    this.layer = layer;
    this.n = n;
    int[] in = layer.in();
    int[] out = layer.out();
    this.outC = out[0];
    this.k = in[0] * layer.kernel()[0] * layer.kernel()[1];
    this.p = out[1] * out[2];
    this.cols = Nd4j.create(DataType.FLOAT, k, (long) n * p);
    this.yT = Nd4j.create(DataType.FLOAT, outC, (long) n * p);
    this.y = Nd4j.create(DataType.FLOAT, n, (long) outC * p);
    this.gw = Nd4j.create(DataType.FLOAT, outC, k);
    this.gx = Nd4j.create(DataType.FLOAT, n, (long) in[0] * in[1] * in[2]);
    this.scratch = scratch;
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    float[] inScratch = Kernels.read(x, scratch.get(Scratch.IN, Math.toIntExact(x.length())));
    float[] colsScratch = scratch.get(Scratch.COLUMNS, k * n * p);
    toColumns(inScratch, colsScratch);
    Kernels.write(colsScratch, cols);
    Nd4j.gemm(weights.apply(layer.weight()).reshape(outC, k), cols, yT, false, false, 1.0, 0.0);
    // [outC, n, P] → [n, outC, P], adding the bias on the way.
    float[] src = Kernels.read(yT, scratch.get(Scratch.OUT_T, n * outC * p));
    float[] dst = scratch.get(Scratch.OUT, n * outC * p);
    float[] bias = layer.bias() == null ? null : weights.apply(layer.bias()).toFloatVector();
    for (int c = 0; c < outC; c++) {
      float b = bias == null ? 0f : bias[c];
      for (int e = 0; e < n; e++) {
        int s = (c * n + e) * p;
        int d = (e * outC + c) * p;
        for (int i = 0; i < p; i++) {
          dst[d + i] = src[s + i] + b;
        }
      }
    }
    Kernels.write(dst, y);
    return y;
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    // [n, outC, P] → [outC, n, P] into yT (the output is no longer needed), summing the bias gradient.
    float[] src = Kernels.read(gy, scratch.get(Scratch.OUT, n * outC * p));
    float[] dst = scratch.get(Scratch.OUT_T, n * outC * p);
    float[] gb = new float[outC];
    for (int e = 0; e < n; e++) {
      for (int c = 0; c < outC; c++) {
        int s = (e * outC + c) * p;
        int d = (c * n + e) * p;
        double sum = 0;
        for (int i = 0; i < p; i++) {
          float v = src[s + i];
          dst[d + i] = v;
          sum += v;
        }
        gb[c] += (float) sum;
      }
    }
    Kernels.write(dst, yT);
    Nd4j.gemm(yT, cols, gw, false, true, 1.0, 0.0);
    Step.accumulate(grads, layer.weight(), gw);
    if (layer.bias() != null) {
      Step.accumulate(grads, layer.bias(), Nd4j.createFromArray(gb));
    }
    if (!needInput) {
      return null;
    }
    Nd4j.gemm(weights.apply(layer.weight()).reshape(outC, k), yT, cols, true, false, 1.0, 0.0);
    float[] gcols = Kernels.read(cols, scratch.get(Scratch.COLUMNS, k * n * p));
    float[] inScratch = scratch.get(Scratch.IN, Math.toIntExact(gx.length()));
    java.util.Arrays.fill(inScratch, 0, Math.toIntExact(gx.length()), 0f);
    fromColumns(gcols, inScratch);
    Kernels.write(inScratch, gx);
    return gx;
  }

  /** cols[(c, ky, kx), (e, oy, ox)] = x[e, c, oy·sH − pH + ky·dH, ox·sW − pW + kx·dW], 0 outside. */
  private void toColumns(float[] x, float[] dst) {
    walk(x, dst, false);
  }

  /** The adjoint of {@link #toColumns}: each column entry added back onto the input it came from. */
  private void fromColumns(float[] cols, float[] x) {
    walk(x, cols, true);
  }

  private void walk(float[] x, float[] c, boolean adjoint) {
    int[] in = layer.in();
    int[] out = layer.out();
    int kh = layer.kernel()[0];
    int kw = layer.kernel()[1];
    int sh = layer.strides()[0];
    int sw = layer.strides()[1];
    int ph = layer.pads()[0];
    int pw = layer.pads()[1];
    int dh = layer.dilations()[0];
    int dw = layer.dilations()[1];
    int plane = in[1] * in[2];
    int row = 0;
    for (int ch = 0; ch < in[0]; ch++) {
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++, row++) {
          // The output columns whose input column stays inside: ox in [lo, hi).
          int lo = Math.max(0, ceilDiv(pw - kx * dw, sw));
          int hi = Math.min(out[2], ceilDiv(in[2] + pw - kx * dw, sw));
          for (int e = 0; e < n; e++) {
            int base = (e * in[0] + ch) * plane;
            int dst = (row * n + e) * p;
            for (int oy = 0; oy < out[1]; oy++, dst += out[2]) {
              int iy = oy * sh - ph + ky * dh;
              if (iy < 0 || iy >= in[1]) {
                if (!adjoint) {
                  java.util.Arrays.fill(c, dst, dst + out[2], 0f); // the buffer also holds gradients
                }
                continue;
              }
              int src = base + iy * in[2] - pw + kx * dw;
              if (adjoint) {
                if (sw == 1) { // unit stride as its own simple loop
                  int at = src + lo;
                  int from = dst + lo;
                  for (int i = 0, len = hi - lo; i < len; i++) {
                    x[at + i] += c[from + i];
                  }
                } else {
                  for (int ox = lo; ox < hi; ox++) {
                    x[src + ox * sw] += c[dst + ox];
                  }
                }
              } else {
                for (int i = dst, end = dst + lo; i < end; i++) { // padding: a column or two, no fill() call
                  c[i] = 0f;
                }
                if (sw == 1) {
                  if (hi > lo) {
                    System.arraycopy(x, src + lo, c, dst + lo, hi - lo);
                  }
                } else {
                  for (int ox = lo; ox < hi; ox++) {
                    c[dst + ox] = x[src + ox * sw];
                  }
                }
                for (int i = dst + Math.max(lo, Math.min(hi, out[2])), end = dst + out[2]; i < end; i++) {
                  c[i] = 0f;
                }
              }
            }
          }
        }
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }
}
