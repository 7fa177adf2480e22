package nnzip.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import onnx.Onnx.NodeProto;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The per-operator mapping of {@link OnnxGraphImporter}: each ONNX node becomes SameDiff ops with
 * the node's semantics (ONNX operator spec, opset 13), plus the output's static shape, in which
 * -1 stands for the batch (or any dimension that depends on it). Spatial operators live in {@link
 * SpatialOps}, shape operators in {@link ShapeOps}.
 */
final class OnnxOps {
  /** A mapped node: its output variable and static shape (-1 where it depends on the batch). */
  record Result(SDVariable var, long[] shape) {}

  private OnnxOps() {}

  /**
   * Maps one node whose inputs are already mapped.
   *
   * @throws nnzip.InvalidInputException for an unsupported operator, attribute value or input shape
   */
  static Result map(OnnxGraphImporter g, NodeProto n) {
    if (!OnnxGraphImporter.SUPPORTED.contains(n.getOpType())) {
      throw g.unsupportedOp(n);
    }
    NodeAttributes a = new NodeAttributes(n, what -> g.unsupported(n, what));
    SameDiff sd = g.sd();
    SDVariable x = g.input(n, 0);
    if (x == null) {
      throw a.unsupported("a missing first input");
    }
    long[] xs = g.shapeOf(n, 0);
    return switch (n.getOpType()) {
      case "Relu" -> new Result(sd.nn().relu(x, 0), xs);
      case "LeakyRelu" -> new Result(sd.nn().leakyRelu(x, a.real("alpha", 0.01f)), xs);
      case "Sigmoid" -> new Result(sd.nn().sigmoid(x), xs);
      case "Tanh" -> new Result(sd.math().tanh(x), xs);
      // Dropout is the identity in both modes (GraphMode); its mask output is refused if used.
      case "Identity", "Dropout" -> new Result(sd.identity(x), xs);
      case "Add" -> new Result(x.add(g.input(n, 1)), broadcast(a, xs, g.shapeOf(n, 1)));
      case "Mul" -> new Result(x.mul(g.input(n, 1)), broadcast(a, xs, g.shapeOf(n, 1)));
      case "Gemm" -> gemm(g, n, a, x, xs);
      case "MatMul" -> matMul(g, n, a, x, xs);
      case "Conv" -> SpatialOps.conv(g, n, a, x, xs);
      case "MaxPool", "AveragePool" -> SpatialOps.pool(g, n, a, x, xs);
      case "GlobalAveragePool" -> SpatialOps.globalAveragePool(a, sd, x, xs);
      case "BatchNormalization" -> BatchNormOp.map(g, n, a, x, xs);
      case "Flatten" -> ShapeOps.flatten(sd, a, x, xs);
      case "Reshape" -> ShapeOps.reshape(g, n, a, x, xs);
      case "Concat" -> concat(g, n, a, xs);
      case "Softmax" -> softmax(g, a, x, xs);
      default -> throw new IllegalStateException("SUPPORTED lists '" + n.getOpType() + "' but nothing maps it");
    };
  }

  /** Y = alpha·A'·B' + beta·C, with A' = transA ? Aᵀ : A and likewise B'; C broadcasts to Y. */
  private static Result gemm(OnnxGraphImporter g, NodeProto n, NodeAttributes a, SDVariable x, long[] xs) {
    boolean ta = a.integer("transA", 0) != 0;
    boolean tb = a.integer("transB", 0) != 0;
    float alpha = a.real("alpha", 1f);
    float beta = a.real("beta", 1f);
    long[] bs = g.shapeOf(n, 1);
    if (xs.length != 2 || bs.length != 2) {
      throw a.unsupported("inputs of ranks " + xs.length + " and " + bs.length + " (Gemm needs matrices)");
    }
    long inner = ta ? xs[0] : xs[1];
    long innerB = tb ? bs[1] : bs[0];
    if (inner != innerB && inner != -1 && innerB != -1) {
      throw a.unsupported("A " + Arrays.toString(xs) + (ta ? "ᵀ" : "") + " times B " + Arrays.toString(bs)
          + (tb ? "ᵀ" : "") + " (inner sizes " + inner + " and " + innerB + " differ)");
    }
    long[] out = {ta ? xs[1] : xs[0], tb ? bs[0] : bs[1]};
    SDVariable y = g.sd().mmul(x, g.input(n, 1), ta, tb, false);
    if (alpha != 1f) {
      y = y.mul(alpha);
    }
    SDVariable c = g.input(n, 2);
    if (c != null && beta != 0f) {
      out = broadcast(a, out, g.shapeOf(n, 2));
      y = y.add(beta == 1f ? c : c.mul(beta));
    }
    return new Result(y, out);
  }

  /** Matrix product; an input of rank > 2 times a matrix multiplies along its last axis. */
  private static Result matMul(OnnxGraphImporter g, NodeProto n, NodeAttributes a, SDVariable x, long[] xs) {
    long[] ws = g.shapeOf(n, 1);
    SDVariable w = g.input(n, 1);
    if (xs.length < 2 || ws.length != 2 || (xs[xs.length - 1] != ws[0] && xs[xs.length - 1] != -1)) {
      throw a.unsupported("MatMul of shapes " + Arrays.toString(xs) + " and " + Arrays.toString(ws)
          + " (only [..., K] times [K, M])");
    }
    if (xs.length == 2) {
      return new Result(g.sd().mmul(x, w), new long[] {xs[0], ws[1]});
    }
    long[] out = xs.clone();
    out[out.length - 1] = ws[1];
    if (Arrays.stream(xs, 1, xs.length).anyMatch(d -> d < 0)) {
      throw a.unsupported("MatMul of shape " + Arrays.toString(xs) + " with a dynamic inner dimension");
    }
    // [N, ..., K] → [N·…, K] · [K, M] → [N, ..., M]; only the batch stays dynamic.
    SDVariable flat = g.sd().reshape(x, -1, ws[0]);
    long[] back = out.clone();
    back[0] = -1;
    return new Result(g.sd().reshape(g.sd().mmul(flat, w), back), out);
  }

  private static Result concat(OnnxGraphImporter g, NodeProto n, NodeAttributes a, long[] xs) {
    if (!a.has("axis")) {
      throw a.unsupported("a missing 'axis' attribute");
    }
    int axis = axis(a, a.integer("axis", 0), xs.length);
    if (axis == 0) {
      throw a.unsupported("axis 0 (the batch)");
    }
    List<SDVariable> parts = new ArrayList<>();
    long[] shape = xs.clone();
    shape[axis] = 0;
    for (int i = 0; i < n.getInputCount(); i++) {
      long[] s = g.shapeOf(n, i);
      for (int d = 0; d < xs.length; d++) {
        if (s.length != xs.length || (d != axis && s[d] != xs[d])) {
          throw a.unsupported("concatenating shapes " + Arrays.toString(xs) + " and " + Arrays.toString(s)
              + " on axis " + axis);
        }
      }
      parts.add(g.input(n, i));
      shape[axis] += s[axis];
    }
    return new Result(g.sd().concat(axis, parts.toArray(new SDVariable[0])), shape);
  }

  /**
   * Softmax along one axis (opset ≥ 13). Before opset 13 the input was flattened to 2-D at the axis
   * (default 1), which is the same only when the axis is the last.
   */
  private static Result softmax(OnnxGraphImporter g, NodeAttributes a, SDVariable x, long[] xs) {
    boolean flattening = g.opset() < 13;
    int axis = axis(a, a.integer("axis", flattening ? 1 : -1), xs.length);
    SameDiff sd = g.sd();
    if (!flattening || axis == xs.length - 1) {
      return new Result(sd.nn().softmax(x, axis), xs);
    }
    if (axis == 0) {
      throw a.unsupported("axis 0 before opset 13 (a softmax across the batch)");
    }
    long inner = 1;
    for (int i = axis; i < xs.length; i++) {
      inner = Math.multiplyExact(inner, xs[i]);
    }
    long[] back = xs.clone();
    back[0] = -1;
    return new Result(sd.reshape(sd.nn().softmax(sd.reshape(x, -1, inner), 1), back), xs);
  }

  /** The numpy broadcast of two static shapes (-1 = the batch, broadcasting with 1 or itself). */
  static long[] broadcast(NodeAttributes a, long[] x, long[] y) {
    int rank = Math.max(x.length, y.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      int ix = i - (rank - x.length);
      int iy = i - (rank - y.length);
      long p = ix >= 0 ? x[ix] : 1;
      long q = iy >= 0 ? y[iy] : 1;
      if (p != q && p != 1 && q != 1) {
        throw a.unsupported("broadcasting shapes " + Arrays.toString(x) + " and " + Arrays.toString(y));
      }
      out[i] = p == 1 ? q : p;
    }
    return out;
  }

  /** An ONNX axis in [-rank, rank) as a non-negative axis. */
  static int axis(NodeAttributes a, long axis, int rank) {
    long v = axis < 0 ? axis + rank : axis;
    if (v < 0 || v >= rank) {
      throw a.unsupported("axis " + axis + " for an input of rank " + rank);
    }
    return (int) v;
  }
}
