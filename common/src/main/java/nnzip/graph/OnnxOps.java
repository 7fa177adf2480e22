package nnzip.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nnzip.InvalidInputException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * The per-operator mapping of {@link OnnxGraphImporter}: each ONNX node becomes SameDiff ops with
 * the node's semantics (ONNX operator spec, opset 13), plus the output's static shape.
 */
final class OnnxOps {
  /** A mapped node: its output variable and static shape (dimension 0 = batch, -1). */
  record Result(SDVariable var, long[] shape) {}

  private OnnxOps() {}

  static Result map(OnnxGraphImporter g, NodeProto n) {
    SameDiff sd = g.sd();
    SDVariable x = g.input(n, 0);
    long[] xs = g.shapeOf(n, 0);
    switch (n.getOpType()) {
      case "Relu":
        return new Result(sd.nn().relu(x, 0), xs);
      case "LeakyRelu":
        return new Result(sd.nn().leakyRelu(x, floatAttr(n, "alpha", 0.01f)), xs);
      case "Sigmoid":
        return new Result(sd.nn().sigmoid(x), xs);
      case "Tanh":
        return new Result(sd.math().tanh(x), xs);
      case "Identity":
      case "Dropout":
        return new Result(sd.identity(x), xs);
      case "Add":
        return new Result(x.add(g.input(n, 1)), broadcast(g, n, xs, g.shapeOf(n, 1)));
      case "Mul":
        return new Result(x.mul(g.input(n, 1)), broadcast(g, n, xs, g.shapeOf(n, 1)));
      case "Gemm":
        return gemm(g, n, x, xs);
      case "MatMul": {
        long[] ws = g.shapeOf(n, 1);
        if (xs.length != 2 || ws.length != 2) {
          throw g.unsupported(n, "MatMul of ranks " + xs.length + " and " + ws.length + " (only 2-D)");
        }
        return new Result(sd.mmul(x, g.input(n, 1)), new long[] {xs[0], ws[1]});
      }
      case "Conv":
        return conv(g, n, x, xs);
      case "MaxPool":
      case "AveragePool":
        return pool(g, n, x, xs);
      case "GlobalAveragePool":
        return new Result(sd.mean(x, true, 2, 3), new long[] {xs[0], xs[1], 1, 1});
      case "BatchNormalization":
        return batchNorm(g, n, x, xs);
      case "Flatten": {
        int axis = normalize(g, n, (int) intAttr(n, "axis", 1), xs.length + 1);
        if (axis != 1) {
          throw g.unsupported(n, "axis " + axis + " (only 1, keeping the batch dimension)");
        }
        long rest = 1;
        for (int i = 1; i < xs.length; i++) {
          rest *= xs[i];
        }
        return new Result(sd.reshape(x, -1, rest), new long[] {-1, rest});
      }
      case "Reshape":
        return reshape(g, n, x, xs);
      case "Concat":
        return concat(g, n, xs);
      case "Softmax": {
        int axis = normalize(g, n, (int) intAttr(n, "axis", -1), xs.length);
        if (axis != xs.length - 1) {
          throw g.unsupported(n, "axis " + axis + " (only the last)");
        }
        return new Result(sd.nn().softmax(x, axis), xs);
      }
      default:
        throw new InvalidInputException(g.unsupported(n, "the operator").getMessage().replace(": the operator is",
            " is") + "; supported: " + String.join(", ", OnnxGraphImporter.SUPPORTED));
    }
  }

  private static Result gemm(OnnxGraphImporter g, NodeProto n, SDVariable a, long[] as) {
    SameDiff sd = g.sd();
    boolean ta = intAttr(n, "transA", 0) != 0;
    boolean tb = intAttr(n, "transB", 0) != 0;
    float alpha = floatAttr(n, "alpha", 1f);
    float beta = floatAttr(n, "beta", 1f);
    if (ta) {
      throw g.unsupported(n, "transA=1 (the batch must be the first dimension)");
    }
    long[] bs = g.shapeOf(n, 1);
    SDVariable y = sd.mmul(a, g.input(n, 1), false, tb, false);
    if (alpha != 1f) {
      y = y.mul(alpha);
    }
    SDVariable c = g.input(n, 2);
    if (c != null && beta != 0f) {
      y = y.add(beta == 1f ? c : c.mul(beta));
    }
    return new Result(y, new long[] {as[0], tb ? bs[0] : bs[1]});
  }

  private static Result conv(OnnxGraphImporter g, NodeProto n, SDVariable x, long[] xs) {
    long[] ws = g.shapeOf(n, 1);
    if (xs.length != 4 || ws.length != 4) {
      throw g.unsupported(n, "a " + (xs.length - 2) + "-D convolution (only 2-D)");
    }
    if (intAttr(n, "group", 1) != 1) {
      throw g.unsupported(n, "group=" + intAttr(n, "group", 1) + " (only 1)");
    }
    long[] k = {ws[2], ws[3]};
    long[] s = ints(n, "strides", 1, 1);
    long[] d = ints(n, "dilations", 1, 1);
    long[] pads = pads(g, n, xs, k, s, d);
    SameDiff sd = g.sd();
    // Padding is always explicit: conv2d_bp of SameDiff 1.0.0-M2.1 fails on its own pH/pW.
    SDVariable in = padded(g, x, pads);
    Conv2DConfig cfg = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(0).pW(0).dH(d[0]).dW(d[1])
        .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
    SDVariable b = g.input(n, 2);
    if (b == null) {
      // conv2d_bp of SameDiff 1.0.0-M2.1 fails ("Op validation failed") without a bias, and with a
      // constant one: use a zero variable that no trainer updates (see FIXED_PREFIX).
      b = sd.var(OnnxGraphImporter.FIXED_PREFIX + OnnxGraphImporter.variableName(n.getOutput(0)),
          org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, ws[0]));
    }
    // ONNX keeps [O, I, kH, kW]; conv2d_bp of M2.1 ignores weightsFormat=OIYX, so permute to its
    // default [kH, kW, I, O] (a differentiable view; the weight variable keeps the ONNX layout).
    SDVariable y = sd.cnn().conv2d(in, sd.permute(g.input(n, 1), 2, 3, 1, 0), b, cfg);
    return new Result(y, new long[] {xs[0], ws[0], out(xs[2], k[0], s[0], d[0], pads[0] + pads[2]),
        out(xs[3], k[1], s[1], d[1], pads[1] + pads[3])});
  }

  private static Result pool(OnnxGraphImporter g, NodeProto n, SDVariable x, long[] xs) {
    boolean max = n.getOpType().equals("MaxPool");
    long[] k = ints(n, "kernel_shape");
    if (xs.length != 4 || k == null || k.length != 2) {
      throw g.unsupported(n, "a pooling that is not 2-D");
    }
    if (intAttr(n, "ceil_mode", 0) != 0) {
      throw g.unsupported(n, "ceil_mode=1");
    }
    if (max && intAttr(n, "storage_order", 0) != 0) {
      throw g.unsupported(n, "storage_order=1");
    }
    long[] s = ints(n, "strides", 1, 1);
    long[] d = ints(n, "dilations", 1, 1);
    long[] pads = pads(g, n, xs, k, s, d);
    if (pads[0] != pads[2] || pads[1] != pads[3]) {
      throw g.unsupported(n, "asymmetric pads " + Arrays.toString(pads));
    }
    boolean includePad = intAttr(n, "count_include_pad", 0) != 0;
    Pooling2DConfig cfg = Pooling2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(pads[0]).pW(pads[1])
        .dH(d[0]).dW(d[1]).paddingMode(PaddingMode.VALID).isNHWC(false)
        .type(max ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
        .divisor(includePad ? Pooling2D.Divisor.INCLUDE_PADDING : Pooling2D.Divisor.EXCLUDE_PADDING).build();
    SDVariable y = max ? g.sd().cnn().maxPooling2d(x, cfg) : g.sd().cnn().avgPooling2d(x, cfg);
    return new Result(y, new long[] {xs[0], xs[1], out(xs[2], k[0], s[0], d[0], 2 * pads[0]),
        out(xs[3], k[1], s[1], d[1], 2 * pads[1])});
  }

  private static Result batchNorm(OnnxGraphImporter g, NodeProto n, SDVariable x, long[] xs) {
    SameDiff sd = g.sd();
    double eps = floatAttr(n, "epsilon", 1e-5f);
    float momentum = floatAttr(n, "momentum", 0.9f);
    if (n.getOutputCount() > 1 && n.getOutputList().subList(1, n.getOutputCount()).stream().anyMatch(o -> !o.isEmpty())) {
      throw g.unsupported(n, "training-mode outputs");
    }
    SDVariable gamma = g.input(n, 1);
    SDVariable beta = g.input(n, 2);
    SDVariable mean = g.input(n, 3);
    SDVariable var = g.input(n, 4);
    if (g.mode() == GraphMode.INFERENCE) {
      return new Result(sd.nn().batchNorm(x, mean, var, gamma, beta, eps, 1), xs);
    }
    int[] axes = new int[xs.length - 1];
    axes[0] = 0;
    for (int i = 2; i < xs.length; i++) {
      axes[i - 1] = i;
    }
    long[] bshape = new long[xs.length];
    Arrays.fill(bshape, 1);
    bshape[1] = xs[1];
    String base = OnnxGraphImporter.variableName(n.getOutput(0));
    SDVariable m = sd.mean(base + ".batch_mean", x, axes);
    SDVariable centered = x.sub(sd.reshape(m, bshape));
    SDVariable v = sd.mean(base + ".batch_var", centered.mul(centered), axes);
    SDVariable y = centered.div(sd.reshape(sd.math().sqrt(v.add(eps)), bshape))
        .mul(sd.reshape(gamma, bshape)).add(sd.reshape(beta, bshape));
    g.addBatchNorm(new ImportedGraph.BatchNormStats(g.keyOf(n, 3), g.keyOf(n, 4), m.name(), v.name(), momentum));
    return new Result(y, xs);
  }

  private static Result reshape(OnnxGraphImporter g, NodeProto n, SDVariable x, long[] xs) {
    long[] target = g.longs(n.getInput(1), n).clone();
    if (intAttr(n, "allowzero", 0) != 0) {
      throw g.unsupported(n, "allowzero=1");
    }
    long known = 1;
    int infer = -1;
    for (int i = 0; i < target.length; i++) {
      if (target[i] == 0) {
        if (i >= xs.length) {
          throw g.unsupported(n, "a 0 at dimension " + i + " beyond the input's rank");
        }
        target[i] = xs[i];
      }
      if (target[i] == -1) {
        if (infer >= 0) {
          throw g.unsupported(n, "two -1 dimensions");
        }
        infer = i;
      } else if (i > 0 || target[i] != xs[0]) {
        known *= target[i];
      }
    }
    long rest = 1;
    for (int i = 1; i < xs.length; i++) {
      rest *= xs[i];
    }
    // The batch must stay dimension 0: either kept (0 or -1 there) or folded with -1 elsewhere.
    if (target[0] == -1) {
      long[] outShape = target.clone();
      if (known == 0 || rest % Math.max(1, known) != 0 || known != rest) {
        throw g.unsupported(n, "shape " + Arrays.toString(g.longs(n.getInput(1), n)) + " for input " + Arrays.toString(xs)
            + " (the batch must stay the first dimension)");
      }
      return new Result(g.sd().reshape(x, target), outShape);
    }
    throw g.unsupported(n, "shape " + Arrays.toString(g.longs(n.getInput(1), n)) + " (the first dimension must be 0 or -1"
        + " so the batch stays first)");
  }

  private static Result concat(OnnxGraphImporter g, NodeProto n, long[] xs) {
    int axis = normalize(g, n, (int) intAttr(n, "axis", 1), xs.length);
    if (axis == 0) {
      throw g.unsupported(n, "axis 0 (the batch)");
    }
    List<SDVariable> parts = new ArrayList<>();
    long[] shape = xs.clone();
    shape[axis] = 0;
    for (int i = 0; i < n.getInputCount(); i++) {
      parts.add(g.input(n, i));
      shape[axis] += g.shapeOf(n, i)[axis];
    }
    return new Result(g.sd().concat(axis, parts.toArray(new SDVariable[0])), shape);
  }

  private static long[] broadcast(OnnxGraphImporter g, NodeProto n, long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long x = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
      long y = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
      if (x != y && x != 1 && y != 1) {
        throw g.unsupported(n, "broadcasting " + Arrays.toString(a) + " with " + Arrays.toString(b));
      }
      out[i] = x == -1 || y == -1 ? -1 : Math.max(x, y);
    }
    return out;
  }

  /** Pads [top, left, bottom, right] from auto_pad or pads. */
  private static long[] pads(OnnxGraphImporter g, NodeProto n, long[] xs, long[] k, long[] s, long[] d) {
    String auto = stringAttr(n, "auto_pad", "NOTSET");
    switch (auto) {
      case "NOTSET": {
        long[] p = ints(n, "pads", 0, 0, 0, 0);
        if (p.length != 4) {
          throw g.unsupported(n, "pads of length " + p.length);
        }
        return new long[] {p[0], p[1], p[2], p[3]};
      }
      case "VALID":
        return new long[4];
      case "SAME_UPPER":
      case "SAME_LOWER": {
        long[] p = new long[4];
        for (int i = 0; i < 2; i++) {
          long outDim = (xs[2 + i] + s[i] - 1) / s[i];
          long total = Math.max(0, (outDim - 1) * s[i] + (k[i] - 1) * d[i] + 1 - xs[2 + i]);
          long small = total / 2;
          p[i] = auto.equals("SAME_UPPER") ? small : total - small;
          p[i + 2] = total - p[i];
        }
        return p;
      }
      default:
        throw g.unsupported(n, "auto_pad=" + auto);
    }
  }

  /** x zero-padded by [top, left, bottom, right] (x itself when all are 0). */
  private static SDVariable padded(OnnxGraphImporter g, SDVariable x, long[] pads) {
    if (java.util.Arrays.stream(pads).allMatch(p -> p == 0)) {
      return x;
    }
    SameDiff sd = g.sd();
    SDVariable p = sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(
        new int[][] {{0, 0}, {0, 0}, {(int) pads[0], (int) pads[2]}, {(int) pads[1], (int) pads[3]}}));
    return sd.nn().pad(x, p, 0.0);
  }

  private static long out(long in, long k, long s, long d, long padTotal) {
    return (in + padTotal - ((k - 1) * d + 1)) / s + 1;
  }

  private static int normalize(OnnxGraphImporter g, NodeProto n, int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw g.unsupported(n, "axis " + axis + " for rank " + rank);
    }
    return a;
  }

  private static AttributeProto attr(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  private static long intAttr(NodeProto n, String name, long dflt) {
    AttributeProto a = attr(n, name);
    return a == null ? dflt : a.getI();
  }

  private static float floatAttr(NodeProto n, String name, float dflt) {
    AttributeProto a = attr(n, name);
    return a == null ? dflt : a.getF();
  }

  private static String stringAttr(NodeProto n, String name, String dflt) {
    AttributeProto a = attr(n, name);
    return a == null ? dflt : a.getS().toStringUtf8();
  }

  private static long[] ints(NodeProto n, String name, long... dflt) {
    AttributeProto a = attr(n, name);
    if (a == null) {
      return dflt.length == 0 ? null : dflt;
    }
    return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }
}
