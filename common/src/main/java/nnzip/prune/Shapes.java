package nnzip.prune;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.ValueInfo;

/**
 * Static shape inference for the operators the group finder follows: a dimension is its size or
 * −1 when unknown (the batch). Needed where a channel becomes a block of H·W features (Flatten,
 * Reshape) and for FLOP counts; declared value_info fills in what the rules here do not cover.
 */
final class Shapes {
  private final Map<String, long[]> shapes = new HashMap<>();
  private final GraphView view;

  Shapes(Graph g, GraphView view) {
    this.view = view;
    for (ValueInfo v : g.getValueInfoList()) {
      declare(v);
    }
    for (ValueInfo v : g.getInputList()) {
      declare(v);
    }
    for (var t : g.getInitializerList()) {
      shapes.put(t.getName(), view.dims(t.getName()));
    }
  }

  private void declare(ValueInfo v) {
    long[] d = v.shape();
    if (d != null) {
      shapes.put(v.getName(), d);
    }
  }


  /** The shape of a tensor, or null when unknown. */
  long[] of(String name) {
    long[] c = view.dims(name);
    return c != null ? c : shapes.get(name);
  }

  /** The product of dims [from, rank), or −1 if one of them is unknown. */
  static long product(long[] s, int from) {
    long p = 1;
    for (int i = from; i < s.length; i++) {
      if (s[i] < 0) {
        return -1;
      }
      p = Math.multiplyExact(p, s[i]);
    }
    return p;
  }

  /** Infers and records the first output's shape of {@code n}, when the rules know its op. */
  void infer(Node n) {
    if (n.getOutputCount() == 0 || shapes.containsKey(n.getOutput(0))) {
      return;
    }
    long[] out = compute(n);
    if (out != null) {
      shapes.put(n.getOutput(0), out);
    }
  }

  private long[] compute(Node n) {
    long[] x = n.getInputCount() > 0 ? of(n.getInput(0)) : null;
    if (n.getOpType().equals("Constant")) {
      return view.dims(n.getOutput(0));
    }
    if (x == null && n.getOpType().equals("Conv") && of(n.getInput(1)) != null) {
      // Channels come from the weight; spatial sizes stay unknown, and a global pool makes them 1.
      x = new long[of(n.getInput(1)).length];
      Arrays.fill(x, -1);
    }
    if (x == null) {
      return null;
    }
    switch (n.getOpType()) {
      case "Conv", "MaxPool", "AveragePool", "LpPool":
        return window(n, x);
      case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool": {
        long[] o = x.clone();
        Arrays.fill(o, 2, o.length, 1);
        return o;
      }
      case "Flatten": {
        int axis = (int) GraphView.integer(n, "axis", 1);
        axis = axis < 0 ? axis + x.length : axis;
        long inner = product(x, axis);
        long outer = product(Arrays.copyOf(x, axis), 0);
        return new long[] {outer, inner};
      }
      case "Reshape":
        return reshape(x, view.integers(n.getInput(1)), GraphView.integer(n, "allowzero", 0) != 0);
      case "Gemm": {
        long[] b = of(n.getInput(1));
        if (b == null || x.length != 2) {
          return null;
        }
        boolean ta = GraphView.integer(n, "transA", 0) != 0;
        boolean tb = GraphView.integer(n, "transB", 0) != 0;
        return new long[] {ta ? x[1] : x[0], tb ? b[0] : b[1]};
      }
      case "MatMul": {
        long[] b = of(n.getInput(1));
        if (b == null || b.length != 2 || x.length < 2) {
          return null;
        }
        long[] o = x.clone();
        o[o.length - 1] = b[1];
        return o;
      }
      case "Concat": {
        int axis = (int) GraphView.integer(n, "axis", 0);
        axis = axis < 0 ? axis + x.length : axis;
        long[] o = x.clone();
        for (int i = 1; i < n.getInputCount(); i++) {
          long[] s = of(n.getInput(i));
          if (s == null || s.length != o.length) {
            return null;
          }
          o[axis] = o[axis] < 0 || s[axis] < 0 ? -1 : o[axis] + s[axis];
        }
        return o;
      }
      case "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pow", "PRelu": {
        long[] o = x;
        for (int i = 1; i < n.getInputCount(); i++) {
          long[] s = of(n.getInput(i));
          if (s == null) {
            return null;
          }
          o = broadcast(o, s);
        }
        return o;
      }
      case "Transpose": {
        long[] perm = GraphView.integers(n, "perm");
        long[] o = new long[x.length];
        for (int i = 0; i < o.length; i++) {
          o[i] = x[perm == null ? o.length - 1 - i : (int) perm[i]];
        }
        return o;
      }
      case "Softmax", "LogSoftmax", "LRN", "InstanceNormalization", "LayerNormalization":
        return x;
      default:
        return GroupFinder.PASS_THROUGH.contains(n.getOpType()) || n.getOpType().equals("BatchNormalization") ? x : null;
    }
  }

  private static long[] broadcast(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] o = new long[r];
    for (int i = 0; i < r; i++) {
      long da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      long db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      o[i] = da == 1 ? db : db == 1 ? da : da == db ? da : -1;
    }
    return o;
  }

  private static long[] reshape(long[] x, long[] target, boolean allowZero) {
    if (target == null) {
      return null;
    }
    long[] o = target.clone();
    int minus = -1;
    for (int i = 0; i < o.length; i++) {
      if (o[i] == 0 && !allowZero) {
        o[i] = i < x.length ? x[i] : -1;
      } else if (o[i] == -1) {
        minus = i;
      }
    }
    if (minus >= 0) {
      long total = product(x, 0);
      long known = 1;
      for (int i = 0; i < o.length; i++) {
        known = i == minus || o[i] < 0 ? known : Math.multiplyExact(known, o[i]);
      }
      if (total >= 0) {
        o[minus] = total / Math.max(known, 1);
      } else if (minus > 0 && o[0] < 0 && x.length > 0 && x[0] < 0 && product(x, 1) >= 0) {
        // Unknown batch kept in place by a 0: the −1 takes the features, known without the batch.
        o[minus] = product(x, 1) / Math.max(known, 1);
      }
    }
    return o;
  }

  private long[] window(Node n, long[] x) {
    int sp = x.length - 2;
    if (sp < 1) {
      return null;
    }
    long[] kernel = GraphView.integers(n, "kernel_shape");
    long out;
    if (n.getOpType().equals("Conv")) {
      long[] w = of(n.getInput(1));
      if (w == null) {
        return null;
      }
      kernel = Arrays.copyOfRange(w, 2, w.length);
      out = w[0];
    } else {
      out = x[1];
    }
    if (kernel == null || kernel.length != sp) {
      return null;
    }
    long[] strides = orOnes(GraphView.integers(n, "strides"), sp);
    long[] dil = orOnes(GraphView.integers(n, "dilations"), sp);
    long[] pads = GraphView.integers(n, "pads");
    pads = pads == null ? new long[2 * sp] : pads;
    String autoPad = GraphView.string(n, "auto_pad", "NOTSET");
    boolean ceil = GraphView.integer(n, "ceil_mode", 0) != 0;
    long[] o = new long[x.length];
    o[0] = x[0];
    o[1] = out;
    for (int i = 0; i < sp; i++) {
      long in = x[i + 2];
      if (in < 0) {
        o[i + 2] = -1;
      } else if (autoPad.startsWith("SAME")) {
        o[i + 2] = (in + strides[i] - 1) / strides[i];
      } else {
        long p = autoPad.equals("VALID") ? 0 : pads[i] + pads[i + sp];
        long span = in + p - dil[i] * (kernel[i] - 1) - 1;
        o[i + 2] = (ceil ? Math.floorDiv(span + strides[i] - 1, strides[i]) : Math.floorDiv(span, strides[i])) + 1;
      }
    }
    return o;
  }

  private static long[] orOnes(long[] v, int n) {
    if (v != null) {
      return v;
    }
    long[] o = new long[n];
    Arrays.fill(o, 1);
    return o;
  }
}
