package nnzip.train.chain;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution as one matrix product per group of G examples: their inputs are laid out as columns
 * [K = inC·kH·kW, G·P] (P output positions each, zero where the window reaches into the padding), so
 * y = W[outC, K]·cols, ∂W = Σ_groups ∂y·colsᵀ (summed in group order) and ∂cols = Wᵀ·∂y, which is
 * folded back onto the inputs. G is as large as keeps a group's input columns in cache (about 512 KB): the
 * whole batch's (58 MB on resnet20's first stage) made each conv a series of passes over memory, and
 * one example at a time made LeNet-5's small products slow. The backward pass lays the columns out
 * again rather than keep them. When the output is as large as the input with unit strides, the input
 * gradient is instead the convolution of the output gradient by the flipped, transposed kernel, which
 * sums nothing back. The products are OpenBLAS's, the layout moves Java loops over arrays (libnd4j's
 * conv2d_bp measured 10× slower than batched products on LeNet-5's shapes).
 */
final class ConvStep implements Step {
  /** Floats of a group's input columns, at most (unless one example needs more). */
  private static final int GROUP_FLOATS = 1 << 17;

  private final ChainLayer.Conv layer;
  private final int n;
  private final int k;
  private final int p;
  private final int outC;
  private final int inC;
  /** inC·inH·inW. */
  private final int inSize;
  /** Examples per product. */
  private final int group;
  /** Whether the output is as large as the input with unit strides: the input gradient by {@link #flipped}. */
  private final boolean sameSize;
  /** outC·kH·kW: rows of the output gradient's columns. */
  private final int kT;
  /** [inC, outC·kH·kW]: the flipped, transposed kernel (when {@link #sameSize}). */
  private final INDArray flipped;
  /** [max(K, kT), G·P]: a group's columns in native memory, or those of its output gradient. */
  private final INDArray cols;
  /** [max(outC, inC), G·P]: a group's product, channel-major (its output, or its output or input gradient). */
  private final INDArray product;
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
    this.inC = in[0];
    this.k = in[0] * layer.kernel()[0] * layer.kernel()[1];
    this.p = out[1] * out[2];
    this.inSize = in[0] * in[1] * in[2];
    this.sameSize = layer.strides()[0] == 1 && layer.strides()[1] == 1 && out[1] == in[1] && out[2] == in[2];
    this.kT = outC * layer.kernel()[0] * layer.kernel()[1];
    // Sized by the input's columns: the output gradient's (kT rows) are laid out only for an input
    // gradient, which the first layer, often the one with the most positions, never needs.
    this.group = (int) Math.max(1, Math.min(n, GROUP_FLOATS / ((long) k * p)));
    this.flipped = sameSize ? Nd4j.create(DataType.FLOAT, inC, kT) : null;
    this.cols = Nd4j.create(DataType.FLOAT, sameSize ? Math.max(k, kT) : k, (long) group * p);
    this.product = Nd4j.create(DataType.FLOAT, Math.max(outC, inC), (long) group * p);
    this.y = Nd4j.create(DataType.FLOAT, n, (long) outC * p);
    this.gw = Nd4j.create(DataType.FLOAT, outC, k);
    this.gx = Nd4j.create(DataType.FLOAT, n, inSize);
    this.scratch = scratch;
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    this.x = x;
    Blas.Matrix w = Blas.at(Kernels.whole(weights.apply(layer.weight())), 0, k);
    float[] bias = layer.bias() == null ? null : weights.apply(layer.bias()).toFloatVector();
    FloatBuffer xb = Kernels.floats(x);
    FloatBuffer yb = Kernels.floats(y);
    int size = outC * p;
    for (int e0 = 0; e0 < n; e0 += group) {
      int g = Math.min(group, n - e0);
      int gp = g * p;
      columns(xb, e0, g);
      Blas.gemm(false, false, outC, gp, k, 1f, w, Blas.at(cols, 0, gp), 0f, Blas.at(product, 0, gp));
      // [outC, g, P] → [g, outC, P], adding the bias on the way.
      float[] src = scratch.get(Scratch.OUT_T, outC * gp);
      Kernels.floats(product).get(0, src, 0, outC * gp);
      float[] dst = scratch.get(Scratch.OUT, g * size);
      for (int c = 0; c < outC; c++) {
        float b = bias == null ? 0f : bias[c];
        for (int j = 0; j < g; j++) {
          int from = c * gp + j * p;
          int to = j * size + c * p;
          for (int i = 0; i < p; i++) {
            dst[to + i] = src[from + i] + b;
          }
        }
      }
      yb.put(e0 * size, dst, 0, g * size);
    }
    return y;
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    Blas.Matrix w = Blas.at(Kernels.whole(weights.apply(layer.weight())), 0, k);
    FloatBuffer xb = Kernels.floats(x);
    FloatBuffer gyb = Kernels.floats(gy);
    FloatBuffer gxb = Kernels.floats(gx);
    int size = outC * p;
    double[] gb = layer.bias() == null ? null : new double[outC];
    if (sameSize && needInput) {
      flipKernel(weights.apply(layer.weight()));
    }
    for (int e0 = 0; e0 < n; e0 += group) {
      int g = Math.min(group, n - e0);
      int gp = g * p;
      // [g, outC, P] → [outC, g, P] into the product buffer, summing the bias gradient.
      float[] src = scratch.get(Scratch.OUT, g * size);
      gyb.get(e0 * size, src, 0, g * size);
      float[] dst = scratch.get(Scratch.OUT_T, outC * gp);
      for (int j = 0; j < g; j++) {
        for (int c = 0; c < outC; c++) {
          int from = j * size + c * p;
          System.arraycopy(src, from, dst, c * gp + j * p, p);
          if (gb != null) {
            gb[c] += Kernels.sum(src, from, p);
          }
        }
      }
      Kernels.floats(product).put(0, dst, 0, outC * gp);
      Blas.Matrix gyT = Blas.at(product, 0, gp);
      columns(xb, e0, g);
      Blas.gemm(false, true, outC, k, gp, 1f, gyT, Blas.at(cols, 0, gp), e0 == 0 ? 0f : 1f, Blas.at(gw, 0, k));
      if (!needInput) {
        continue;
      }
      float[] gxs = scratch.get(Scratch.IN, g * inSize);
      if (sameSize) {
        // Columns of the output gradient (src still holds it example by example), then [inC, g, P].
        float[] c = scratch.get(Scratch.COLUMNS, kT * gp);
        int[] kernel = layer.kernel();
        for (int j = 0; j < g; j++) {
          walkShifted(src, j * size, c, j * p, gp, false, outC, layer.out()[1], layer.in()[1],
              (kernel[0] - 1) * layer.dilations()[0] - layer.pads()[0],
              (kernel[1] - 1) * layer.dilations()[1] - layer.pads()[1]);
        }
        Kernels.floats(cols).put(0, c, 0, kT * gp);
        Blas.gemm(false, false, inC, gp, kT, 1f, Blas.at(flipped, 0, kT), Blas.at(cols, 0, gp), 0f,
            Blas.at(product, 0, gp));
        float[] t = scratch.get(Scratch.OUT_T, inC * gp);
        Kernels.floats(product).get(0, t, 0, inC * gp);
        for (int ch = 0; ch < inC; ch++) {
          for (int j = 0; j < g; j++) {
            System.arraycopy(t, ch * gp + j * p, gxs, j * inSize + ch * p, p);
          }
        }
      } else {
        Blas.gemm(true, false, k, gp, outC, 1f, w, gyT, 0f, Blas.at(cols, 0, gp));
        float[] gcols = scratch.get(Scratch.COLUMNS, k * gp);
        Kernels.floats(cols).get(0, gcols, 0, k * gp);
        java.util.Arrays.fill(gxs, 0, g * inSize, 0f);
        for (int j = 0; j < g; j++) {
          walk(gxs, j * inSize, gcols, j * p, gp, true);
        }
      }
      gxb.put(e0 * inSize, gxs, 0, g * inSize);
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

  /** Examples [e0, e0 + g)'s columns into {@link #cols}, [K, g·P]. */
  private void columns(FloatBuffer xb, int e0, int g) {
    int gp = g * p;
    float[] xs = scratch.get(Scratch.IN, g * inSize);
    xb.get(e0 * inSize, xs, 0, g * inSize);
    float[] c = scratch.get(Scratch.COLUMNS, k * gp);
    for (int j = 0; j < g; j++) {
      walk(xs, j * inSize, c, j * p, gp, false);
    }
    Kernels.floats(cols).put(0, c, 0, k * gp);
  }

  /**
   * One example's columns: c[c0 + (ch, ky, kx)·stride + (oy, ox)] = x[x0 + (ch, oy·sH − pH + ky·dH,
   * ox·sW − pW + kx·dW)], 0 outside; or with {@code adjoint} the reverse, each column entry added back
   * onto the input it came from.
   *
   * @param stride the columns' row length (g·P for a group of g examples)
   */
  private void walk(float[] x, int x0, float[] c, int c0, int stride, boolean adjoint) {
    if (layer.strides()[0] == 1 && layer.strides()[1] == 1 && layer.out()[2] == layer.in()[2]) {
      walkShifted(x, x0, c, c0, stride, adjoint, layer.in()[0], layer.in()[1], layer.out()[1], layer.pads()[0],
          layer.pads()[1]);
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
          int base = x0 + ch * plane;
          int dst = c0 + row * stride;
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
   * columns for the flipped kernel (with that convolution's channels, heights and begin pads).
   */
  private void walkShifted(float[] x, int x0, float[] c, int c0, int stride, boolean adjoint, int channels, int inH,
      int outH, int ph, int pw) {
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
          int dst = c0 + row * stride;
          if (lo >= hi || yLo >= yHi) {
            if (!adjoint) {
              java.util.Arrays.fill(c, dst, dst + p, 0f);
            }
            continue;
          }
          int from = dst + yLo * w;
          int src = x0 + ch * plane + (yLo - ph + ky * dh) * w + shift;
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
