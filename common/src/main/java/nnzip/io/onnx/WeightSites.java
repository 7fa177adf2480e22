package nnzip.io.onnx;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.io.onnx.OnnxProto.Attribute;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Model;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.Tensor;

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
    void visit(Site site, Tensor tensor) throws X;
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
  static <X extends Exception> void walk(Model model, Visitor<X> visitor) throws X {
    if (model.hasGraph()) {
      new WeightSites<>(visitor).graph(model.getGraph(), "", 0);
    }
  }

  private void graph(Graph g, String scope, int depth) throws E {
    List<Tensor> initializers = g.getInitializerList();
    for (int i = 0; i < initializers.size(); i++) {
      Tensor t = initializers.get(i);
      String name = t.getName().isEmpty() ? "initializer@" + i : t.getName();
      offer(t, scope + name, t.getName(), depth, WeightPlacement.INITIALIZER);
    }
    List<Node> nodes = g.getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      String label = n.getName().isEmpty() ? n.getOpType() + "@" + i : n.getName();
      for (Attribute a : n.getAttributeList()) {
        if (isConstantValue(n, a)) {
          String out = n.getOutputCount() > 0 && !n.getOutput(0).isEmpty() ? n.getOutput(0) : label;
          offer(a.getT(), scope + out, out, depth, WeightPlacement.CONSTANT_NODE);
        }
        String inner = scope + label + "/" + a.getName();
        if (a.hasG()) {
          graph(a.getG(), inner + "/", depth + 1);
        }
        List<Graph> graphs = a.getGraphsList();
        for (int k = 0; k < graphs.size(); k++) {
          graph(graphs.get(k), inner + "[" + k + "]/", depth + 1);
        }
      }
    }
  }

  private static boolean isConstantValue(Node n, Attribute a) {
    boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    return defaultDomain && n.getOpType().equals("Constant") && a.getName().equals("value") && a.hasT();
  }

  private void offer(Tensor t, String key, String tensorName, int depth, WeightPlacement placement)
      throws E {
    Optional<DType> dtype = OnnxDataTypes.toDType(t.getDataType());
    if (dtype.isEmpty()) {
      if (t.getDataLocation() == OnnxProto.EXTERNAL) {
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
