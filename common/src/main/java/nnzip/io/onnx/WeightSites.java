package nnzip.io.onnx;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * Walks every weight site of a model in one fixed order and names it; the single place that
 * defines which tensors are weights and what their keys are. Enumeration, stripping and restoring
 * all walk through here, so a stripped graph yields the same keys, in the same order, as the model
 * it came from: which tensors are sites and what they are called depends only on names, data types
 * and graph structure, never on the data.
 */
final class WeightSites<E extends Exception> {

  /** One named weight site, handed to the visitor together with its mutable tensor. */
  record Site(String key, String tensorName, int depth, WeightPlacement placement, DType dtype) {}

  /** Receives each site in walk order; may throw {@code E} (a checked exception, or none). */
  @FunctionalInterface
  interface Visitor<X extends Exception> {
    void visit(Site site, TensorProto.Builder tensor) throws X;
  }

  private final Visitor<E> visitor;
  private final Set<String> taken = new HashSet<>();

  private WeightSites(Visitor<E> visitor) {
    this.visitor = visitor;
  }

  /**
   * Visits every weight site of {@code model}, depth first: in each graph its initializers in
   * order, then its nodes in order, and for each node its attributes in order (a Constant's
   * {@code value}, then the graphs held by GRAPH and GRAPHS attributes, recursively).
   *
   * @throws InvalidInputException if a tensor that is not a weight keeps its data in an external file
   * @throws X whatever the visitor throws, unchanged
   */
  static <X extends Exception> void walk(ModelProto.Builder model, Visitor<X> visitor) throws X {
    if (model.hasGraph()) {
      new WeightSites<>(visitor).graph(model.getGraphBuilder(), "", 0);
    }
  }

  private void graph(GraphProto.Builder g, String scope, int depth) throws E {
    for (int i = 0; i < g.getInitializerCount(); i++) {
      TensorProto.Builder t = g.getInitializerBuilder(i);
      String name = t.getName().isEmpty() ? "initializer@" + i : t.getName();
      offer(t, scope + name, t.getName(), depth, WeightPlacement.INITIALIZER);
    }
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto.Builder n = g.getNodeBuilder(i);
      String label = n.getName().isEmpty() ? n.getOpType() + "@" + i : n.getName();
      for (int j = 0; j < n.getAttributeCount(); j++) {
        AttributeProto.Builder a = n.getAttributeBuilder(j);
        if (isConstantValue(n, a)) {
          String out = n.getOutputCount() > 0 && !n.getOutput(0).isEmpty() ? n.getOutput(0) : label;
          offer(a.getTBuilder(), scope + out, out, depth, WeightPlacement.CONSTANT_NODE);
        }
        String inner = scope + label + "/" + a.getName();
        if (a.hasG()) {
          graph(a.getGBuilder(), inner + "/", depth + 1);
        }
        for (int k = 0; k < a.getGraphsCount(); k++) {
          graph(a.getGraphsBuilder(k), inner + "[" + k + "]/", depth + 1);
        }
      }
    }
  }

  private static boolean isConstantValue(NodeProto.Builder n, AttributeProto.Builder a) {
    boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    return defaultDomain && n.getOpType().equals("Constant") && a.getName().equals("value") && a.hasT();
  }

  private void offer(TensorProto.Builder t, String key, String tensorName, int depth, WeightPlacement placement)
      throws E {
    Optional<DType> dtype = OnnxDataTypes.toDType(t.getDataType());
    if (dtype.isEmpty()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        throw new InvalidInputException("tensor '" + key + "': external data of type "
            + OnnxDataTypes.name(t.getDataType()) + " is not supported");
      }
      return;
    }
    visitor.visit(new Site(unique(key), tensorName, depth, placement, dtype.get()), t);
  }

  /** The key itself, or on a clash with an earlier site the first free {@code key~2}, {@code key~3}, …. */
  private String unique(String key) {
    String k = key;
    for (int n = 2; !taken.add(k); n++) {
      k = key + "~" + n;
    }
    return k;
  }
}
