package nnzip.io.onnx;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import onnx.Onnx;

/**
 * Finds the output-channel axis of each weight from the operators that consume it: 0 for Conv and
 * Gemm with transB = 1 (PyTorch's [out, in] layout), 1 for ConvTranspose ([in, out, kh, kw]) and
 * Gemm with transB = 0, the last axis for a MatMul's right operand ([in, out], Paddle's layout).
 * Per-channel ranges must follow the output channels: that is what folded BatchNorm scales.
 */
public final class ChannelAxes {
  private static final int LAST = -1;

  private ChannelAxes() {}

  /**
   * The channel axis of every weight whose consumers agree on one; weights with no known consumer,
   * or consumers that disagree, get 0.
   *
   * @return weight key → axis (≥ 0), for every weight of {@code weights}
   */
  public static Map<String, Integer> of(OnnxWeights weights) {
    Map<String, Set<Integer>> byName = new HashMap<>();
    forEachInput(weights.model().getGraph(), (node, i) -> {
      Integer axis = axisOf(node, i);
      if (axis != null) {
        byName.computeIfAbsent(node.getInput(i), k -> new HashSet<>()).add(axis);
      }
    });
    Map<String, Integer> axes = new LinkedHashMap<>();
    for (OnnxWeight w : weights.list()) {
      Set<Integer> seen = byName.getOrDefault(w.tensorName(), Set.of());
      int rank = w.spec().shape().length;
      int axis = 0;
      if (seen.size() == 1) {
        int a = seen.iterator().next();
        axis = a == LAST ? Math.max(0, rank - 1) : a;
      }
      axes.put(w.key(), axis < rank ? axis : 0);
    }
    return axes;
  }

  /**
   * Operators whose constant inputs are learned weights, coded like any weight when small: their
   * consumers forgive an error of the order of the weights' own quantization error.
   */
  private static final Set<String> WEIGHT_CONSUMERS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub",
      "Mul", "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization", "PRelu",
      "Concat");

  /**
   * Operators that move their first input's values without arithmetic (a learned embedding gathered,
   * a class token expanded): that input is a weight if it is one; the others (shapes, axes, pads,
   * a Pad's fill value) are not.
   */
  private static final Set<String> DATA_MOVERS = Set.of("Gather", "Expand", "Tile", "Reshape", "Transpose",
      "Squeeze", "Unsqueeze", "Flatten", "Identity", "Slice", "Split", "Pad", "Cast");

  /**
   * The role of every weight whose consumers say it is no plain weight: {@link
   * nnzip.io.WeightRole#NORM_STATISTIC} for a BatchNormalization's running mean or variance (inputs 3
   * and 4) used nowhere else, {@link nnzip.io.WeightRole#EXACT} for one that any operator takes
   * other than {@link #WEIGHT_CONSUMERS} (any input) and {@link #DATA_MOVERS} (their first). An
   * initializer no node reads named with {@link nnzip.io.WeightRole#NORM_STATISTIC_PREFIX} is a
   * statistic too. Weights not listed are {@link nnzip.io.WeightRole#WEIGHT}.
   *
   * @return weight key → role, in weight order
   */
  public static Map<String, nnzip.io.WeightRole> roles(OnnxWeights weights) {
    Map<String, Set<nnzip.io.WeightRole>> uses = new HashMap<>();
    forEachInput(weights.model().getGraph(), (node, i) -> {
      String op = node.getOpType();
      boolean weight = WEIGHT_CONSUMERS.contains(op) || (DATA_MOVERS.contains(op) && i == 0);
      nnzip.io.WeightRole role = !weight ? nnzip.io.WeightRole.EXACT
          : op.equals("BatchNormalization") && (i == 3 || i == 4) ? nnzip.io.WeightRole.NORM_STATISTIC
          : nnzip.io.WeightRole.WEIGHT;
      uses.computeIfAbsent(node.getInput(i), k -> new HashSet<>()).add(role);
    });
    Map<String, nnzip.io.WeightRole> out = new LinkedHashMap<>();
    for (OnnxWeight w : weights.list()) {
      Set<nnzip.io.WeightRole> u = uses.getOrDefault(w.tensorName(), Set.of());
      if (u.contains(nnzip.io.WeightRole.EXACT)) {
        out.put(w.key(), nnzip.io.WeightRole.EXACT);
      } else if (u.equals(Set.of(nnzip.io.WeightRole.NORM_STATISTIC))
          || (u.isEmpty() && w.tensorName().startsWith(nnzip.io.WeightRole.NORM_STATISTIC_PREFIX))) {
        out.put(w.key(), nnzip.io.WeightRole.NORM_STATISTIC);
      }
    }
    return out;
  }

  /** Calls {@code use} with every (node, input index) of {@code graph} and of its subgraphs (If, Loop, Scan). */
  private static void forEachInput(Onnx.GraphProto graph, java.util.function.ObjIntConsumer<Onnx.NodeProto> use) {
    for (Onnx.NodeProto node : graph.getNodeList()) {
      for (int i = 0; i < node.getInputCount(); i++) {
        use.accept(node, i);
      }
      for (Onnx.AttributeProto a : node.getAttributeList()) {
        if (a.hasG()) {
          forEachInput(a.getG(), use);
        }
        for (Onnx.GraphProto g : a.getGraphsList()) {
          forEachInput(g, use);
        }
      }
    }
  }

  /** The channel axis input {@code i} of {@code node} has, or null if the input is no weight operand. */
  static Integer axisOf(Onnx.NodeProto node, int i) {
    // Written out with ifs: a ternary mixing int and null unboxes the null.
    switch (node.getOpType()) {
      case "Conv":
        return i == 1 ? Integer.valueOf(0) : null;
      case "ConvTranspose":
        return i == 1 ? Integer.valueOf(1) : null;
      case "Gemm":
        if (i == 1) {
          return intAttribute(node, "transB") == 1 ? 0 : 1;
        }
        if (i == 0) {
          return intAttribute(node, "transA") == 1 ? 1 : 0;
        }
        return null;
      case "MatMul":
        if (i == 1) {
          return LAST;
        }
        return i == 0 ? Integer.valueOf(0) : null;
      default:
        return null;
    }
  }

  private static long intAttribute(Onnx.NodeProto node, String name) {
    for (Onnx.AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return 0;
  }
}
