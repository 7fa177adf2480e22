package nnzip.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.tensor.DType;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Maps the main graph of an ONNX classifier to a SameDiff graph, operator by operator, tracking
 * every tensor's static shape with the batch dimension dynamic. Weights enter through a {@link
 * WeightBinder}, keyed as {@link OnnxWeights} keys them, and every ONNX tensor's variable is named
 * {@link #variableName}(its ONNX name). ND4J's own ONNX importer is not used: it computes wrong
 * results (DESIGN.md, "Training engine facts").
 */
public final class OnnxGraphImporter {
  /** Operators this importer maps (besides Constant, whose tensor is a weight). */
  public static final List<String> SUPPORTED = List.of("Gemm", "MatMul", "Add", "Mul", "Conv", "Relu", "LeakyRelu",
      "Sigmoid", "Tanh", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Flatten", "Reshape",
      "Concat", "Dropout", "Softmax", "Identity");

  private final SameDiff sd = SameDiff.create();
  /** ONNX tensor name → its variable, and its static shape (-1 where it depends on the batch). */
  private final Map<String, SDVariable> vars = new HashMap<>();
  private final Map<String, long[]> shapes = new HashMap<>();
  /** Variable names that stand for ONNX tensors (never renamed once given). */
  private final Set<String> onnxVariables = new HashSet<>();
  /** Every ONNX tensor name of the graph, as variable names: internal variables avoid them. */
  private final Set<String> reserved = new HashSet<>();
  private final List<String> bound = new ArrayList<>();
  private final List<ImportedGraph.BatchNormStats> batchNorms = new ArrayList<>();
  private final MainGraphWeights weights;
  private final WeightBinder binder;
  private final GraphMode mode;
  private final String graphName;
  private final long opset;
  private ChainRecorder chain;

  private OnnxGraphImporter(ModelProto model, WeightBinder binder, GraphMode mode) {
    this.weights = new MainGraphWeights(model);
    this.binder = binder;
    this.mode = mode;
    String name = model.getGraph().getName();
    this.graphName = name.isEmpty() ? "ONNX graph" : "ONNX graph '" + name + "'";
    long version = 13; // a model without a default-domain import is read with today's semantics
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        version = o.getVersion();
      }
    }
    this.opset = version;
  }

  /**
   * Imports a classifier: one FLOAT input [batch, fixed dims...], one output whose last dimension
   * is the number of classes.
   *
   * @param model the ONNX model; only its main graph is read, with all weight data inside the
   *     protobuf (raw_data or typed fields)
   * @param binder makes the variable of each FLOAT weight the graph uses (initializers and Constant
   *     node values, keyed by initializer name or Constant output name); called once per weight, in
   *     order of first use
   * @param mode how BatchNormalization behaves
   * @throws InvalidInputException naming the op and node for an unsupported operator, attribute
   *     value or input shape; naming the inputs when the graph has not exactly one FLOAT input
   *     besides its initializers, or not exactly one output; also for weight data outside the
   *     protobuf or of the wrong size (see {@link OnnxWeights#of(ModelProto)})
   * @throws IllegalStateException if the binder names a variable other than {@link
   *     #variableName}(key)
   */
  public static ImportedGraph load(ModelProto model, WeightBinder binder, GraphMode mode) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(binder, "binder");
    Objects.requireNonNull(mode, "mode");
    return new OnnxGraphImporter(model, binder, mode).run(model.getGraph());
  }

  /** The SameDiff variable name of an ONNX tensor name ('/' is SameDiff's scope separator). */
  public static String variableName(String onnxName) {
    return onnxName.replace('/', '\u2215');
  }

  /** The ONNX name of a variable name made by {@link #variableName}. */
  public static String onnxName(String variableName) {
    return variableName.replace('\u2215', '/');
  }

  private ImportedGraph run(GraphProto g) {
    ValueInfoProto in = theInput(g);
    if (g.getOutputCount() != 1) {
      throw new InvalidInputException(graphName + ": nnzip imports classifiers with one output, found "
          + g.getOutputCount());
    }
    Set<String> consumed = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      consumed.addAll(n.getInputList());
      n.getOutputList().forEach(o -> reserved.add(variableName(o)));
    }
    consumed.add(g.getOutput(0).getName());
    g.getInitializerList().forEach(t -> reserved.add(variableName(t.getName())));
    long[] shape = inputShape(in);
    String input = variableName(in.getName());
    reserved.add(input);
    onnxVariables.add(input);
    vars.put(in.getName(), sd.placeHolder(input, DataType.FLOAT, shape));
    shapes.put(in.getName(), shape);
    chain = new ChainRecorder(in.getName());
    for (NodeProto n : g.getNodeList()) {
      node(n, consumed);
    }
    String out = g.getOutput(0).getName();
    NodeProto last = producer(g, out);
    if (last == null || last.getOpType().equals("Constant")) {
      throw new InvalidInputException(graphName + ": output '" + out + "' is not computed by a node");
    }
    long[] outShape = shapes.get(out);
    if (outShape.length < 2 || outShape[outShape.length - 1] < 1) {
      throw new InvalidInputException(graphName + ": output '" + out + "' has shape " + Arrays.toString(outShape)
          + "; a classifier's output is [batch, ..., classes] with a fixed number of classes");
    }
    String logitsTensor = last.getOpType().equals("Softmax") ? last.getInput(0) : out;
    bound.sort(Comparator.comparing(weights::order));
    return new ImportedGraph(sd, input, Arrays.copyOfRange(shape, 1, shape.length), vars.get(out).name(),
        vars.get(logitsTensor).name(), Math.toIntExact(outShape[outShape.length - 1]), List.copyOf(bound),
        List.copyOf(batchNorms), chain.chainTo(logitsTensor));
  }

  /** The one graph input that is not an initializer; it must be FLOAT. */
  private ValueInfoProto theInput(GraphProto g) {
    Set<String> initializers = new HashSet<>();
    g.getInitializerList().forEach(t -> initializers.add(t.getName()));
    List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
    if (inputs.size() != 1 || inputs.get(0).getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
      List<String> described = inputs.stream().map(v -> "'" + v.getName() + "' ("
          + TensorProto.DataType.forNumber(v.getType().getTensorType().getElemType()) + ")").toList();
      throw new InvalidInputException(graphName + ": nnzip imports graphs with exactly one FLOAT input besides the"
          + " initializers, found " + inputs.size() + (inputs.isEmpty() ? "" : ": " + String.join(", ", described)));
    }
    return inputs.get(0);
  }

  /** [-1, d1, ...]: dimension 0 is the batch whatever the model says; the others must be fixed. */
  private long[] inputShape(ValueInfoProto in) {
    TensorShapeProto sp = in.getType().getTensorType().getShape();
    if (sp.getDimCount() < 2) {
      throw new InvalidInputException(graphName + ": input '" + in.getName() + "' has rank " + sp.getDimCount()
          + "; nnzip needs [batch, features...]");
    }
    long[] shape = new long[sp.getDimCount()];
    shape[0] = -1;
    for (int i = 1; i < shape.length; i++) {
      if (!sp.getDim(i).hasDimValue() || sp.getDim(i).getDimValue() < 1) {
        throw new InvalidInputException(graphName + ": input '" + in.getName() + "' dimension " + i
            + " is not a fixed size (only the batch dimension 0 may be symbolic)");
      }
      shape[i] = sp.getDim(i).getDimValue();
    }
    return shape;
  }

  private static NodeProto producer(GraphProto g, String tensor) {
    for (NodeProto n : g.getNodeList()) {
      if (n.getOutputList().contains(tensor)) {
        return n;
      }
    }
    return null;
  }

  private void node(NodeProto n, Set<String> consumed) {
    if (n.getOpType().equals("Constant") && n.getDomain().isEmpty()) {
      // Its tensor is a weight (OnnxWeights keys it by the output name), bound where it is used.
      if (n.getAttributeCount() != 1 || !n.getAttribute(0).getName().equals("value")) {
        throw unsupported(n, "a Constant without a single 'value' tensor attribute");
      }
      return;
    }
    if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
      throw unsupported(n, "domain '" + n.getDomain() + "'");
    }
    if (n.getOutputCount() < 1 || n.getOutput(0).isEmpty()) {
      throw unsupported(n, "a node without its first output");
    }
    for (int i = 1; i < n.getOutputCount(); i++) {
      if (consumed.contains(n.getOutput(i))) {
        throw unsupported(n, "output " + i + " ('" + n.getOutput(i) + "'), which the graph uses,");
      }
    }
    OnnxOps.Result r = OnnxOps.map(this, n);
    chain.mapped(this, n, shapes.get(n.getInput(0)), r.shape());
    String out = n.getOutput(0);
    SDVariable v = r.var();
    if (onnxVariables.contains(v.name())) {
      v = sd.identity(v); // the op passed a named tensor through; give the output its own variable
    }
    String name = variableName(out);
    claim(name);
    v.rename(name);
    onnxVariables.add(name);
    vars.put(out, v);
    shapes.put(out, r.shape());
  }

  /** Frees {@code name} if SameDiff gave it to an internal variable (e.g. "add" to an Add op). */
  private void claim(String name) {
    if (sd.hasVariable(name)) {
      if (onnxVariables.contains(name)) {
        throw new InvalidInputException(graphName + ": tensor '" + onnxName(name) + "' is defined twice");
      }
      sd.renameVariable(name, freshName(name + ".internal"));
    }
  }

  /** The variable of an ONNX tensor: computed, the input, or a FLOAT weight bound on first use. */
  private SDVariable tensor(String name, NodeProto user) {
    SDVariable v = vars.get(name);
    if (v != null) {
      return v;
    }
    OnnxWeight w = weights.get(name);
    if (w == null) {
      throw new InvalidInputException(graphName + ": tensor '" + name + "' used by node '" + nodeName(user)
          + "' is neither computed before it, the input, nor a weight");
    }
    if (w.spec().dtype() != DType.F32) {
      throw unsupported(user, "input '" + name + "' of type " + w.spec().dtype() + " (weights entering the graph"
          + " must be FLOAT)");
    }
    float[] values = weights.floats(w);
    long[] shape = w.spec().shape();
    String varName = variableName(w.key());
    claim(varName);
    v = binder.bind(sd, w.key(), Nd4j.create(values, shape, 'c'));
    if (!v.name().equals(varName)) {
      throw new IllegalStateException("the binder named weight '" + w.key() + "' '" + v.name() + "', expected '"
          + varName + "'");
    }
    onnxVariables.add(varName);
    bound.add(w.key());
    vars.put(name, v);
    shapes.put(name, shape.clone());
    return v;
  }

  // ---- for the operator mappings

  SameDiff sd() {
    return sd;
  }

  GraphMode mode() {
    return mode;
  }

  /** The model's default-domain opset version. */
  long opset() {
    return opset;
  }

  /** The variable of input i of a node, or null when the node has no such (or an empty) input. */
  SDVariable input(NodeProto n, int i) {
    if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
      return null;
    }
    return tensor(n.getInput(i), n);
  }

  /** The static shape of input i of a node (-1 where it depends on the batch). */
  long[] shapeOf(NodeProto n, int i) {
    if (input(n, i) == null) {
      throw unsupported(n, "a missing input " + i);
    }
    return shapes.get(n.getInput(i));
  }

  /** The values of input i of a node, a constant INT64 tensor (never bound: it is not a weight). */
  long[] longs(NodeProto n, int i) {
    OnnxWeight w = i < n.getInputCount() ? weights.get(n.getInput(i)) : null;
    if (w == null || w.spec().dtype() != DType.I64 || w.spec().shape().length != 1) {
      throw unsupported(n, "input " + i + (i < n.getInputCount() ? " ('" + n.getInput(i) + "')" : "")
          + " that is not a constant 1-D INT64 tensor (an initializer or Constant)");
    }
    return weights.longs(w);
  }

  /** The weight key of input i of a node, or null when it is not a weight. */
  String keyOf(NodeProto n, int i) {
    OnnxWeight w = weights.get(n.getInput(i));
    return w == null ? null : w.key();
  }

  void addBatchNorm(ImportedGraph.BatchNormStats s) {
    batchNorms.add(s);
  }

  /** A variable name starting with {@code base} that is neither taken nor an ONNX tensor's. */
  String freshName(String base) {
    String name = base;
    for (int i = 2; sd.hasVariable(name) || reserved.contains(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  /** "[graph]: ONNX op 'op' (node 'name'): [what] is not supported by nnzip's importer". */
  InvalidInputException unsupported(NodeProto n, String what) {
    return new InvalidInputException(graphName + ": ONNX op '" + n.getOpType() + "' (node '" + nodeName(n) + "'): "
        + what + " is not supported by nnzip's importer");
  }

  /** The error for an operator outside {@link #SUPPORTED}. */
  InvalidInputException unsupportedOp(NodeProto n) {
    return new InvalidInputException(graphName + ": ONNX op '" + n.getOpType() + "' (node '" + nodeName(n)
        + "') is not supported by nnzip's importer; supported: " + String.join(", ", SUPPORTED) + " (and Constant)");
  }

  /** The node's name, or "op->first output" for an unnamed node. */
  static String nodeName(NodeProto n) {
    return n.getName().isEmpty() ? n.getOpType() + "->" + (n.getOutputCount() > 0 ? n.getOutput(0) : "?") : n.getName();
  }
}
