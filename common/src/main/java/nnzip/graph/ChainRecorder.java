package nnzip.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.NodeProto;

/**
 * Watches the importer map nodes and describes the graph as {@link ChainNode}s when hand-written
 * kernels cover it: every node reads tensors computed before it (or the input) and weights, and is
 * one of the layers the kernels have (dense, bias, ReLU, 2-D conv and max pool, BatchNormalization,
 * global average pool, residual Add of two activations, reshapes). Anything else (an activation other
 * than ReLU, asymmetric padding, Concat) breaks the description and the graph trains on SameDiff
 * alone. A trailing Softmax ends the graph at its input, the logits.
 */
final class ChainRecorder {
  private final List<ChainNode> nodes = new ArrayList<>();
  /** ONNX tensor name → its index (0 the input, k the output of node k − 1). */
  private final Map<String, Integer> tensors = new HashMap<>();
  private boolean broken;
  /** A Softmax has read the last output: only the graph output may follow. */
  private boolean ended;

  ChainRecorder(String input) {
    tensors.put(input, 0);
  }

  /** Records a node the importer has mapped; xs and out are its first input's and its output's shapes. */
  void mapped(OnnxGraphImporter g, NodeProto n, long[] xs, long[] out) {
    if (broken) {
      return;
    }
    Integer from = tensors.get(n.getInput(0));
    if (ended || from == null) {
      broken = true;
      return;
    }
    if (n.getOpType().equals("Softmax")) {
      ended = from == nodes.size();
      broken = !ended;
      return;
    }
    ChainNode node;
    Integer other = n.getInputCount() == 2 ? tensors.get(n.getInput(1)) : null;
    if (n.getOpType().equals("Add") && other != null) {
      int size = perExample(out);
      node = size > 0 && Arrays.equals(xs, out) && Arrays.equals(g.shapeOf(n, 1), out)
          ? new ChainNode(new ChainLayer.Add(size), new int[] {from, other}) : null;
    } else {
      ChainLayer layer = layer(g, n, new NodeAttributes(n, what -> g.unsupported(n, what)), xs, out);
      node = layer == null ? null : new ChainNode(layer, new int[] {from});
    }
    if (node == null) {
      broken = true;
      return;
    }
    nodes.add(node);
    tensors.put(n.getOutput(0), nodes.size());
  }

  /**
   * The nodes computing {@code logits} (the last node's output) from the input, or an empty list
   * when the graph is not made of such nodes.
   */
  List<ChainNode> chainTo(String logits) {
    Integer at = tensors.get(logits);
    return broken || nodes.isEmpty() || at == null || at != nodes.size() ? List.of() : List.copyOf(nodes);
  }

  private static ChainLayer layer(OnnxGraphImporter g, NodeProto n, NodeAttributes a, long[] xs, long[] out) {
    int size = perExample(out);
    return switch (n.getOpType()) {
      case "Relu" -> size > 0 ? new ChainLayer.Relu(size) : null;
      // Only shapes that keep the batch apart: Flatten(axis=2) of [N, C, H, W] makes N·C rows.
      case "Flatten", "Reshape", "Identity", "Dropout" -> size > 0 && out[0] == -1 && size == perExample(xs)
          ? new ChainLayer.Reshape(size) : null;
      case "Gemm" -> gemm(g, n, a, xs, out);
      case "MatMul" -> xs.length == 2 && weight(g, n, 1, 2) ? new ChainLayer.Dense(g.keyOf(n, 1), false, null,
          (int) xs[1], (int) out[1]) : null;
      case "Add" -> xs.length == 2 && xs[1] > 0 && weight(g, n, 1, 1) && g.shapeOf(n, 1)[0] == xs[1]
          ? new ChainLayer.BiasAdd(g.keyOf(n, 1), (int) xs[1]) : null;
      case "Conv" -> conv(g, n, a, xs, out);
      case "BatchNormalization" -> batchNorm(g, n, a, xs);
      case "GlobalAveragePool" -> xs.length == 4 && size > 0 ? new ChainLayer.GlobalAveragePool((int) xs[1],
          perExample(xs) / (int) xs[1]) : null;
      case "MaxPool" -> maxPool(a, xs, out);
      default -> null;
    };
  }

  private static ChainLayer gemm(OnnxGraphImporter g, NodeProto n, NodeAttributes a, long[] xs, long[] out) {
    if (a.integer("transA", 0) != 0 || a.real("alpha", 1f) != 1f || xs.length != 2 || !weight(g, n, 1, 2)) {
      return null;
    }
    String bias = null;
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      if (a.real("beta", 1f) != 1f || !weight(g, n, 2, 1) || g.shapeOf(n, 2)[0] != out[1]) {
        return null;
      }
      bias = g.keyOf(n, 2);
    }
    return new ChainLayer.Dense(g.keyOf(n, 1), a.integer("transB", 0) != 0, bias, (int) xs[1], (int) out[1]);
  }

  private static ChainLayer conv(OnnxGraphImporter g, NodeProto n, NodeAttributes a, long[] xs, long[] out) {
    if (a.integer("group", 1) != 1 || xs.length != 4 || !weight(g, n, 1, 4)) {
      return null;
    }
    long[] ws = g.shapeOf(n, 1);
    Window w = Window.of(a, new long[] {ws[2], ws[3]}, xs[2], xs[3]);
    boolean hasBias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
    String bias = hasBias ? g.keyOf(n, 2) : null;
    if (!w.symmetric() || (hasBias && bias == null)) {
      return null;
    }
    return new ChainLayer.Conv(g.keyOf(n, 1), bias, ints(xs, 1), ints(out, 1), ints(w.kernel(), 0),
        ints(w.strides(), 0), new int[] {(int) w.pads()[0], (int) w.pads()[1]}, ints(w.dilations(), 0));
  }

  private static ChainLayer batchNorm(OnnxGraphImporter g, NodeProto n, NodeAttributes a, long[] xs) {
    int size = perExample(xs);
    for (int i = 1; i < 5; i++) {
      if (!weight(g, n, i, 1)) {
        return null;
      }
    }
    if (size < 1) {
      return null;
    }
    int channels = (int) xs[1];
    return new ChainLayer.BatchNorm(g.keyOf(n, 1), g.keyOf(n, 2), g.keyOf(n, 3), g.keyOf(n, 4),
        a.real("epsilon", 1e-5f), channels, size / channels, g.mode() == GraphMode.TRAINING);
  }

  private static ChainLayer maxPool(NodeAttributes a, long[] xs, long[] out) {
    long[] k = a.integers("kernel_shape", 2);
    if (xs.length != 4 || k == null) {
      return null;
    }
    Window w = Window.of(a, k, xs[2], xs[3]);
    if (!w.symmetric() || w.dilations()[0] != 1 || w.dilations()[1] != 1) {
      return null;
    }
    return new ChainLayer.MaxPool(ints(xs, 1), ints(out, 1), ints(k, 0), ints(w.strides(), 0),
        new int[] {(int) w.pads()[0], (int) w.pads()[1]});
  }

  /** Whether input i is a weight of the given rank. */
  private static boolean weight(OnnxGraphImporter g, NodeProto n, int i, int rank) {
    return i < n.getInputCount() && g.keyOf(n, i) != null && g.shapeOf(n, i).length == rank;
  }

  /** Product of the dimensions after the batch, or -1 when one is not fixed. */
  private static int perExample(long[] shape) {
    long p = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 1) {
        return -1;
      }
      p *= shape[i];
    }
    return shape.length < 2 || p > Integer.MAX_VALUE ? -1 : (int) p;
  }

  private static int[] ints(long[] v, int from) {
    return Arrays.stream(v, from, v.length).mapToInt(Math::toIntExact).toArray();
  }
}
