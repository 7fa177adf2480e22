package nnzip.prune;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxProto.Model;
import nnzip.io.onnx.OnnxProto.Node;

/**
 * The weights whose output-channel slices scale a prunable group's channels linearly: each
 * producer's weight and bias, or the scale and shift of the BatchNormalization that follows it
 * (a batch-normalized channel would normalize a scaled weight away). Dirichlet gates scale these,
 * and a structured subspace narrows them; free of the training stack, so the device dialer runs it.
 */
public final class GateTargets {
  private GateTargets() {}

  /**
   * The targets of every prunable group with at least two channels (a single channel cannot be
   * ranked or narrowed), in {@link ChannelGroups#prunable} order.
   *
   * @param shapes the shapes of the model's trainable weights by key, as the training graph names them
   * @return group id → (weight key → its channel axis), in order
   * @throws InvalidInputException if a gate tensor's producer is not a Conv, Gemm, MatMul or
   *     BatchNormalization with constant weights
   */
  public static Map<String, Map<String, Integer>> of(ChannelGroups groups, Map<String, long[]> shapes) {
    Map<String, Node> producerOf = producers(groups.model());
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    for (ChannelGroup g : groups.prunable()) {
      if (g.channels() < 2) {
        continue;
      }
      Map<String, Integer> targets = new LinkedHashMap<>();
      for (String tensor : g.gateTensors()) {
        Node n = producerOf.get(tensor);
        if (n == null) {
          throw new InvalidInputException("group '" + g.id() + "': no node produces '" + tensor + "'");
        }
        switch (n.getOpType()) {
          case "Conv" -> {
            target(targets, shapes, g, n.getInput(1), 0);
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
              target(targets, shapes, g, n.getInput(2), 0);
            }
          }
          case "Gemm" -> {
            target(targets, shapes, g, n.getInput(1), transB(n) ? 0 : 1);
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
              target(targets, shapes, g, n.getInput(2), -1);
            }
          }
          case "MatMul" -> target(targets, shapes, g, n.getInput(1), -1);
          case "BatchNormalization" -> {
            target(targets, shapes, g, n.getInput(1), 0);
            target(targets, shapes, g, n.getInput(2), 0);
          }
          default -> throw new InvalidInputException("group '" + g.id() + "': its channels cannot be gated at a "
              + n.getOpType() + " node");
        }
      }
      out.put(g.id(), targets);
    }
    return out;
  }

  /** Adds a gated weight; axis -1 is its last axis (a MatMul weight [in, out], a Gemm bias [1, C]). */
  private static void target(Map<String, Integer> targets, Map<String, long[]> shapes, ChannelGroup g, String weight,
      int axis) {
    long[] shape = shapes.get(weight);
    if (shape == null) {
      throw new InvalidInputException("group '" + g.id() + "': '" + weight + "' is not a trainable weight");
    }
    targets.put(weight, axis < 0 ? shape.length - 1 : axis);
  }

  static boolean transB(Node n) {
    return n.getAttributeList().stream().anyMatch(a -> a.getName().equals("transB") && a.getI() != 0);
  }

  private static Map<String, Node> producers(Model model) {
    Map<String, Node> m = new HashMap<>();
    for (Node n : model.getGraph().getNodeList()) {
      for (String o : n.getOutputList()) {
        m.put(o, n);
      }
    }
    return m;
  }
}
