package nnzip.graph;

import java.util.ArrayList;
import java.util.List;
import nnzip.graph.OnnxOps.Result;
import onnx.Onnx.NodeProto;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The 2-D NCHW operators: Conv (grouped and depthwise too), MaxPool, AveragePool and
 * GlobalAveragePool. SameDiff only pads symmetrically, so asymmetric ONNX pads (SAME_UPPER with an
 * even total, or explicit) become an explicit pad of the input: zeros for Conv and AveragePool, the
 * lowest float for MaxPool; AveragePool without count_include_pad then rescales each output by
 * kernel area / valid positions, the divisor ONNX uses.
 */
final class SpatialOps {
  private SpatialOps() {}

  static Result conv(OnnxGraphImporter g, NodeProto n, NodeAttributes a, SDVariable x, long[] xs) {
    long[] ws = g.shapeOf(n, 1);
    if (xs.length != 4 || ws.length != 4) {
      throw a.unsupported("a " + (xs.length - 2) + "-D convolution with a rank-" + ws.length + " weight (only 2-D)");
    }
    long group = a.integer("group", 1);
    long cin = xs[1];
    if (group < 1 || cin % group != 0 || ws[0] % group != 0 || ws[1] != cin / group) {
      throw a.unsupported("group=" + group + " with input channels " + cin + " and weight shape "
          + java.util.Arrays.toString(ws));
    }
    long[] k = {ws[2], ws[3]};
    long[] declared = a.integers("kernel_shape", 2, k);
    if (declared[0] != k[0] || declared[1] != k[1]) {
      throw a.unsupported("kernel_shape " + declared[0] + "x" + declared[1] + " that differs from the weight's "
          + k[0] + "x" + k[1]);
    }
    Window win = Window.of(a, k, xs[2], xs[3]);
    SDVariable b = g.input(n, 2);
    if (b != null && (g.shapeOf(n, 2).length != 1 || g.shapeOf(n, 2)[0] != ws[0])) {
      throw a.unsupported("bias of shape " + java.util.Arrays.toString(g.shapeOf(n, 2)) + " for " + ws[0]
          + " output channels");
    }
    SameDiff sd = g.sd();
    SDVariable in = win.symmetric() ? x : pad(sd, x, win.pads(), 0.0);
    Window w = win.symmetric() ? win : win.withoutPads();
    SDVariable weight = g.input(n, 1);
    SDVariable y;
    if (group == 1) {
      y = conv2d(sd, in, weight, b, w);
    } else if (ws[1] == 1) {
      // Depthwise: ONNX [C·m, 1, kH, kW], output channel c·m + j reads input channel c; SameDiff
      // wants [kH, kW, C, m] with the same output order.
      long m = ws[0] / cin;
      SDVariable dw = sd.permute(sd.reshape(weight, cin, m, k[0], k[1]), 2, 3, 0, 1);
      y = b == null ? sd.cnn().depthWiseConv2d(in, dw, config(w)) : sd.cnn().depthWiseConv2d(in, dw, b, config(w));
    } else {
      // Grouped: one convolution per group of input and output channels, concatenated.
      long ci = cin / group;
      long co = ws[0] / group;
      List<SDVariable> parts = new ArrayList<>();
      for (long i = 0; i < group; i++) {
        SDVariable xi = in.get(SDIndex.all(), SDIndex.interval(i * ci, (i + 1) * ci));
        SDVariable wi = weight.get(SDIndex.interval(i * co, (i + 1) * co));
        SDVariable bi = b == null ? null : b.get(SDIndex.interval(i * co, (i + 1) * co));
        parts.add(conv2d(sd, xi, wi, bi, w));
      }
      y = sd.concat(1, parts.toArray(new SDVariable[0]));
    }
    return new Result(y, new long[] {xs[0], ws[0], win.outHeight(xs[2]), win.outWidth(xs[3])});
  }

  static Result pool(OnnxGraphImporter g, NodeProto n, NodeAttributes a, SDVariable x, long[] xs) {
    boolean max = n.getOpType().equals("MaxPool");
    long[] k = a.integers("kernel_shape", xs.length - 2);
    if (xs.length != 4 || k == null) {
      throw a.unsupported("a pooling over a rank-" + xs.length + " input or without kernel_shape (only 2-D)");
    }
    if (a.integer("ceil_mode", 0) != 0) {
      throw a.unsupported("attribute 'ceil_mode' = " + a.integer("ceil_mode", 0) + " (only 0)");
    }
    if (max && a.integer("storage_order", 0) != 0) {
      throw a.unsupported("attribute 'storage_order' = 1 (only 0)");
    }
    boolean includePad = !max && a.integer("count_include_pad", 0) != 0;
    Window win = Window.of(a, k, xs[2], xs[3]);
    long[] out = {xs[0], xs[1], win.outHeight(xs[2]), win.outWidth(xs[3])};
    SameDiff sd = g.sd();
    if (win.symmetric()) {
      return new Result(pool2d(sd, x, win, max, includePad), out);
    }
    SDVariable padded = pad(sd, x, win.pads(), max ? -Float.MAX_VALUE : 0.0);
    SDVariable y = pool2d(sd, padded, win.withoutPads(), max, true);
    if (!max && !includePad) {
      y = y.mul(sd.constant(Nd4j.create(areaOverCount(win, xs[2], xs[3]), new long[] {1, 1, out[2], out[3]}, 'c')));
    }
    return new Result(y, out);
  }

  static Result globalAveragePool(NodeAttributes a, SameDiff sd, SDVariable x, long[] xs) {
    if (xs.length < 3) {
      throw a.unsupported("an input of rank " + xs.length + " (needs spatial dimensions)");
    }
    int[] axes = new int[xs.length - 2];
    long[] out = xs.clone();
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 2;
      out[i + 2] = 1;
    }
    return new Result(sd.mean(x, true, axes), out);
  }

  private static SDVariable conv2d(SameDiff sd, SDVariable x, SDVariable w, SDVariable b, Window win) {
    // ONNX [out, in, kH, kW] → SameDiff's default [kH, kW, in, out]. WeightsFormat.OIYX would skip
    // the permute in the forward pass, but conv2d_bp ignores it in M2.1 and rejects the shape.
    SDVariable yxio = sd.permute(w, 2, 3, 1, 0);
    Conv2DConfig c = config(win);
    return b == null ? sd.cnn().conv2d(x, yxio, c) : sd.cnn().conv2d(x, yxio, b, c);
  }

  private static Conv2DConfig config(Window w) {
    return Conv2DConfig.builder().kH(w.kernel()[0]).kW(w.kernel()[1]).sH(w.strides()[0]).sW(w.strides()[1])
        .pH(w.pads()[0]).pW(w.pads()[1]).dH(w.dilations()[0]).dW(w.dilations()[1]).paddingMode(PaddingMode.VALID)
        .dataFormat(Conv2DConfig.NCHW).build();
  }

  private static SDVariable pool2d(SameDiff sd, SDVariable x, Window w, boolean max, boolean includePad) {
    // AvgPooling2D reads its divisor from 'extra' (1 = count padding), not from the 'divisor' field.
    Pooling2DConfig c = Pooling2DConfig.builder().kH(w.kernel()[0]).kW(w.kernel()[1]).sH(w.strides()[0])
        .sW(w.strides()[1]).pH(w.pads()[0]).pW(w.pads()[1]).dH(w.dilations()[0]).dW(w.dilations()[1])
        .paddingMode(PaddingMode.VALID).isNHWC(false).extra(includePad ? 1 : 0)
        .type(max ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
        .divisor(includePad ? Pooling2D.Divisor.INCLUDE_PADDING : Pooling2D.Divisor.EXCLUDE_PADDING).build();
    return max ? sd.cnn().maxPooling2d(x, c) : sd.cnn().avgPooling2d(x, c);
  }

  /** x [N, C, H, W] padded by pads [top, left, bottom, right] with {@code value}. */
  private static SDVariable pad(SameDiff sd, SDVariable x, long[] pads, double value) {
    int[][] p = {{0, 0}, {0, 0}, {(int) pads[0], (int) pads[2]}, {(int) pads[1], (int) pads[3]}};
    return sd.nn().pad(x, sd.constant(Nd4j.createFromArray(p)), value);
  }

  /** Per output position, kernel area / number of window positions inside the unpadded input. */
  private static float[] areaOverCount(Window w, long h, long wd) {
    long oh = w.outHeight(h);
    long ow = w.outWidth(wd);
    float[] f = new float[Math.toIntExact(oh * ow)];
    long area = w.kernel()[0] * w.kernel()[1];
    for (long i = 0; i < oh; i++) {
      long rows = inside(i * w.strides()[0] - w.pads()[0], w.kernel()[0], w.dilations()[0], h);
      for (long j = 0; j < ow; j++) {
        long cols = inside(j * w.strides()[1] - w.pads()[1], w.kernel()[1], w.dilations()[1], wd);
        // A window wholly in the padding (pads ≥ kernel) averages nothing; it stays 0.
        f[(int) (i * ow + j)] = rows * cols == 0 ? 0f : (float) area / (rows * cols);
      }
    }
    return f;
  }

  /** How many of the k taps start, start + d, … lie in [0, size). */
  private static long inside(long start, long k, long d, long size) {
    long c = 0;
    for (long t = 0; t < k; t++) {
      long p = start + t * d;
      if (p >= 0 && p < size) {
        c++;
      }
    }
    return c;
  }
}
