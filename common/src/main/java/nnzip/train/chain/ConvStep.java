package nnzip.train.chain;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution as one matrix product per example: the example's input is laid out as columns
 * [K = inC·kH·kW, P] (P output positions, zero where the window reaches into the padding), so
 * y_e = W[outC, K]·cols_e, ∂W = Σ_e ∂y_e·cols_eᵀ (summed in example order) and ∂cols_e = Wᵀ·∂y_e,
 * which is folded back onto the example's input. One example's columns stay in cache, where the
 * whole batch's (58 MB on resnet20's first stage) made each conv a series of passes over memory;
 * the backward pass lays them out again rather than keep them. A 1×1 convolution with unit stride and
 * no padding reads its input as the columns. The products are OpenBLAS's, the layout moves Java loops
 * over arrays (libnd4j's conv2d_bp measured 10× slower than batched products on LeNet-5's shapes).
 */
final class ConvStep implements Step {
  private final ChainLayer.Conv layer;
  private final int n;
  private final int k;
  private final int p;
  private final int outC;
  /** inC·inH·inW. */
  private final int inSize;
  /** Whether the input is its own columns: a 1×1 kernel, unit stride, no padding. */
  private final boolean pointwise;
  /**
   * Whether the input is as large as the output with unit strides (not pointwise): its gradient is then
   * the convolution of the output gradient with the flipped, transposed kernel, over columns of the
   * output gradient, which sums nothing into the input; the adjoint of the columns would.
   */
  private final boolean sameSize;
  /** outC·kH·kW: rows of the output gradient's columns. */
  private final int kT;
  /** [inC, outC·kH·kW]: the flipped, transposed kernel (when {@link #sameSize}). */
  private final INDArray flipped;
  /** [max(K, kT), P]: one example's columns in native memory, and later those of its output gradient. */
  private final INDArray cols;
  private final INDArray y;
  private final INDArray gw;
  private final INDArray gx;
  /** The forward pass's input, which the backward pass reads again (nothing writes over it in between). */
  private INDArray x;
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
    this.inSize = in[0] * in[1] * in[2];
    this.pointwise = layer.kernel()[0] == 1 && layer.kernel()[1] == 1 && layer.strides()[0] == 1
        && layer.strides()[1] == 1 && java.util.Arrays.stream(layer.pads()).allMatch(v -> v == 0)
        && out[1] == in[1] && out[2] == in[2];
    this.sameSize = !pointwise && layer.strides()[0] == 1 && layer.strides()[1] == 1 && out[1] == in[1]
        && out[2] == in[2];
    this.kT = outC * layer.kernel()[0] * layer.kernel()[1];
    this.flipped = sameSize ? Nd4j.create(DataType.FLOAT, in[0], kT) : null;
    this.cols = pointwise ? null : Nd4j.create(DataType.FLOAT, sameSize ? Math.max(k, kT) : k, p);
    this.y = Nd4j.create(DataType.FLOAT, n, (long) outC * p);
    this.gw = Nd4j.create(DataType.FLOAT, outC, k);
    this.gx = Nd4j.create(DataType.FLOAT, n, inSize);
    this.scratch = scratch;
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    this.x = x;
    Blas.Matrix w = Blas.at(Kernels.whole(weights.apply(layer.weight())), 0, k);
    FloatBuffer xb = Kernels.floats(x);
    FloatBuffer yb = Kernels.floats(y);
    int size = outC * p;
    float[] biasTile = null;
    if (layer.bias() != null) { // each channel's bias over its positions, the product added onto it
      float[] bias = weights.apply(layer.bias()).toFloatVector();
      biasTile = new float[size];
      for (int c = 0; c < outC; c++) {
        java.util.Arrays.fill(biasTile, c * p, (c + 1) * p, bias[c]);
      }
    }
    for (int e = 0; e < n; e++) {
      if (biasTile != null) {
        yb.put(e * size, biasTile, 0, size);
      }
      Blas.gemm(false, false, outC, p, k, 1f, w, columns(xb, e), biasTile == null ? 0f : 1f, Blas.at(y, (long) e * size, p));
    }
    return y;
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    Blas.Matrix w = Blas.at(Kernels.whole(weights.apply(layer.weight())), 0, k);
    FloatBuffer xb = Kernels.floats(x);
    FloatBuffer gyb = Kernels.floats(gy);
    FloatBuffer gxb = needInput ? Kernels.floats(gx) : null;
    int size = outC * p;
    double[] gb = layer.bias() == null ? null : new double[outC];
    if (sameSize && needInput) {
      flipKernel(weights.apply(layer.weight()));
    }
    for (int e = 0; e < n; e++) {
      Blas.Matrix g = Blas.at(gy, (long) e * size, p);
      Blas.gemm(false, true, outC, k, p, 1f, g, columns(xb, e), e == 0 ? 0f : 1f, Blas.at(gw, 0, k));
      if (gb != null) {
        float[] ge = scratch.get(Scratch.OUT, size);
        gyb.get(e * size, ge, 0, size);
        for (int c = 0; c < outC; c++) {
          gb[c] += Kernels.sum(ge, c * p, p);
        }
      }
      if (!needInput) {
        continue;
      }
      if (pointwise) {
        Blas.gemm(true, false, k, p, outC, 1f, w, g, 0f, Blas.at(gx, (long) e * inSize, p));
      } else if (sameSize) {
        inputGradientByConvolution(gyb, e);
      } else {
        Blas.gemm(true, false, k, p, outC, 1f, w, g, 0f, Blas.at(cols, 0, p));
        float[] gcols = scratch.get(Scratch.COLUMNS, k * p);
        Kernels.floats(cols).get(0, gcols, 0, k * p);
        float[] gxe = scratch.get(Scratch.IN, inSize);
        java.util.Arrays.fill(gxe, 0, inSize, 0f);
        fromColumns(gcols, gxe);
        gxb.put(e * inSize, gxe, 0, inSize);
      }
    }
    Step.accumulate(grads, layer.weight(), gw);
    if (gb != null) {
      float[] g = new float[outC];
      for (int c = 0; c < outC; c++) {
        g[c] = (float) gb[c];
      }
      Step.accumulate(grads, layer.bias(), Nd4j.createFromArray(g));
    }
    return needInput ? gx : null;
  }

  /** {@link #flipped}[ci, (co, ky, kx)] = W[co, ci, kH − 1 − ky, kW − 1 − kx]. */
  private void flipKernel(INDArray weight) {
    float[] w = Kernels.read(Kernels.whole(weight), null);
    int inC = layer.in()[0];
    int kh = layer.kernel()[0];
    int kw = layer.kernel()[1];
    float[] f = new float[inC * kT];
    for (int co = 0; co < outC; co++) {
      for (int ci = 0; ci < inC; ci++) {
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            f[ci * kT + (co * kh + kh - 1 - ky) * kw + kw - 1 - kx] = w[co * k + (ci * kh + ky) * kw + kx];
          }
        }
      }
    }
    Kernels.write(f, flipped);
  }

  /**
   * ∂x_e[ci, iy, ix] = Σ W[co, ci, ky, kx]·∂y_e[co, iy + pH − ky·dH, ix + pW − kx·dW]: with ky' = kH − 1 − ky
   * a convolution of ∂y_e by {@link #flipped} with begin pads (kH − 1)·dH − pH and (kW − 1)·dW − pW.
   */
  private void inputGradientByConvolution(FloatBuffer gyb, int e) {
    int size = outC * p;
    float[] ge = scratch.get(Scratch.OUT, size);
    gyb.get(e * size, ge, 0, size);
    float[] c = scratch.get(Scratch.COLUMNS, kT * p);
    int[] kernel = layer.kernel();
    walkShifted(ge, c, false, outC, layer.out()[1], layer.in()[1], (kernel[0] - 1) * layer.dilations()[0] - layer.pads()[0],
        (kernel[1] - 1) * layer.dilations()[1] - layer.pads()[1]);
    Kernels.floats(cols).put(0, c, 0, kT * p);
    Blas.gemm(false, false, layer.in()[0], p, kT, 1f, Blas.at(flipped, 0, kT), Blas.at(cols, 0, p), 0f,
        Blas.at(gx, (long) e * inSize, p));
  }

  /** Example e's columns: its input itself when pointwise, else laid out into {@link #cols}. */
  private Blas.Matrix columns(FloatBuffer xb, int e) {
    if (pointwise) {
      return Blas.at(x, (long) e * inSize, p);
    }
    float[] xe = scratch.get(Scratch.IN, inSize);
    xb.get(e * inSize, xe, 0, inSize);
    float[] c = scratch.get(Scratch.COLUMNS, k * p);
    toColumns(xe, c);
    Kernels.floats(cols).put(0, c, 0, k * p);
    return Blas.at(cols, 0, p);
  }

  /** cols[(c, ky, kx), (oy, ox)] = x[c, oy·sH − pH + ky·dH, ox·sW − pW + kx·dW], 0 outside. */
  private void toColumns(float[] x, float[] dst) {
    walk(x, dst, false);
  }

  /** The adjoint of {@link #toColumns}: each column entry added back onto the input it came from. */
  private void fromColumns(float[] cols, float[] x) {
    walk(x, cols, true);
  }

  private void walk(float[] x, float[] c, boolean adjoint) {
    if (layer.strides()[0] == 1 && layer.strides()[1] == 1 && layer.out()[2] == layer.in()[2]) {
      walkShifted(x, c, adjoint, layer.in()[0], layer.in()[1], layer.out()[1], layer.pads()[0], layer.pads()[1]);
      return;
    }
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
          int base = ch * plane;
          int dst = row * p;
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

  /**
   * {@link #walk} for unit strides and an output as wide as the input: each row of the columns is then
   * the input plane shifted by a constant, so one copy (or one sum) covers all its output rows, and
   * the entries in the horizontal padding, which the copy fills from the neighbouring rows, are zeroed
   * after it (before it in the adjoint, so that they add nothing). Also lays out the output gradient's
   * columns for {@link #inputGradientByConvolution} (channels, heights and begin pads of that convolution).
   */
  private void walkShifted(float[] x, float[] c, boolean adjoint, int channels, int inH, int outH, int ph, int pw) {
    int w = layer.in()[2];
    int dh = layer.dilations()[0];
    int dw = layer.dilations()[1];
    int plane = inH * w;
    int p = outH * w;
    int row = 0;
    for (int ch = 0; ch < channels; ch++) {
      for (int ky = 0; ky < layer.kernel()[0]; ky++) {
        for (int kx = 0; kx < layer.kernel()[1]; kx++, row++) {
          int shift = kx * dw - pw; // input column − output column
          int lo = Math.max(0, -shift); // output columns [lo, hi) read inside the input
          int hi = Math.min(w, w - shift);
          int yLo = Math.max(0, ph - ky * dh); // output rows [yLo, yHi) likewise
          int yHi = Math.min(outH, inH + ph - ky * dh);
          int dst = row * p;
          if (lo >= hi || yLo >= yHi) {
            if (!adjoint) {
              java.util.Arrays.fill(c, dst, dst + p, 0f);
            }
            continue;
          }
          int from = dst + yLo * w;
          int src = ch * plane + (yLo - ph + ky * dh) * w + shift;
          int first = lo; // block offsets [first, last) run from (yLo, lo) to (yHi − 1, hi − 1)
          int last = (yHi - yLo) * w - (w - hi);
          if (adjoint) {
            zeroPadding(c, from, yHi - yLo, w, lo, hi);
            for (int i = first; i < last; i++) {
              x[src + i] += c[from + i];
            }
          } else {
            java.util.Arrays.fill(c, dst, from, 0f);
            java.util.Arrays.fill(c, from + (yHi - yLo) * w, dst + p, 0f);
            System.arraycopy(x, src + first, c, from + first, last - first);
            zeroPadding(c, from, yHi - yLo, w, lo, hi);
          }
        }
      }
    }
  }

  /** Zeroes columns [0, lo) and [hi, w) of {@code rows} rows of width w from {@code from} on. */
  private static void zeroPadding(float[] c, int from, int rows, int w, int lo, int hi) {
    for (int r = 0, at = from; r < rows; r++, at += w) {
      for (int i = 0; i < lo; i++) {
        c[at + i] = 0f;
      }
      for (int i = hi; i < w; i++) {
        c[at + i] = 0f;
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }
}
