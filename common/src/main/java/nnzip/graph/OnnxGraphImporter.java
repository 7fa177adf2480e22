package nnzip.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.tensor.DType;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Maps an ONNX graph to SameDiff, operator by operator, tracking every tensor's static shape (the
 * batch dimension symbolic). Supported: Gemm, MatMul, Add, Mul, Conv, Relu, LeakyRelu, Sigmoid,
 * Tanh, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Flatten, Reshape, Concat,
 * Dropout, Softmax, Identity. Any other operator, or an attribute value outside what is mapped, is
 * an {@link InvalidInputException} naming the op and node. ND4J's own ONNX importer is not used: it
 * computes wrong results (DESIGN.md).
 */
public final class OnnxGraphImporter {
  /** Operators this importer maps. */
  public static final List<String> SUPPORTED = List.of("Gemm", "MatMul", "Add", "Mul", "Conv", "Relu", "LeakyRelu",
      "Sigmoid", "Tanh", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Flatten", "Reshape",
      "Concat", "Dropout", "Softmax", "Identity");

  /** Name prefix of graph variables that are not weights and must never be trained. */
  public static final String FIXED_PREFIX = "nnzip.fixed:";

  private final SameDiff sd = SameDiff.create();
  private final Map<String, SDVariable> vars = new HashMap<>();
  private final Map<String, long[]> shapes = new HashMap<>();
  private final Map<String, OnnxWeight> weightByName = new HashMap<>();
  private final List<String> bound = new ArrayList<>();
  private final List<ImportedGraph.BatchNormStats> batchNorms = new ArrayList<>();
  private final OnnxWeights weights;
  private final WeightBinder binder;
  private final GraphMode mode;
  private final String graphName;

  private OnnxGraphImporter(ModelProto model, WeightBinder binder, GraphMode mode) {
    this.weights = OnnxWeights.of(model);
    this.binder = binder;
    this.mode = mode;
    this.graphName = model.getGraph().getName().isEmpty() ? "ONNX graph" : "ONNX graph '" + model.getGraph().getName() + "'";
    for (OnnxWeight w : weights.list()) {
      if (w.depth() == 0) {
        weightByName.put(w.tensorName(), w);
      }
    }
  }

  /**
   * Imports a single-input classifier.
   *
   * @throws InvalidInputException naming the op and node for an unsupported operator or attribute
   *     value, or the input when the graph has not exactly one FLOAT input
   */
  public static ImportedGraph load(ModelProto model, WeightBinder binder, GraphMode mode) {
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
    List<ValueInfoProto> inputs = new ArrayList<>();
    for (ValueInfoProto v : g.getInputList()) {
      if (!weightByName.containsKey(v.getName())) {
        inputs.add(v);
      }
    }
    if (inputs.size() != 1 || g.getOutputCount() != 1) {
      throw new InvalidInputException(graphName + ": nnzip imports classifiers with one input and one output, found "
          + inputs.size() + " inputs and " + g.getOutputCount() + " outputs");
    }
    ValueInfoProto in = inputs.get(0);
    if (in.getType().getTensorType().getElemType() != onnx.Onnx.TensorProto.DataType.FLOAT_VALUE) {
      throw new InvalidInputException(graphName + ": input '" + in.getName() + "' is not FLOAT");
    }
    TensorShapeProto sp = in.getType().getTensorType().getShape();
    if (sp.getDimCount() < 2) {
      throw new InvalidInputException(graphName + ": input '" + in.getName() + "' needs a batch dimension and a shape");
    }
    long[] shape = new long[sp.getDimCount()];
    shape[0] = -1;
    for (int i = 1; i < shape.length; i++) {
      if (!sp.getDim(i).hasDimValue() || sp.getDim(i).getDimValue() < 1) {
        throw new InvalidInputException(graphName + ": input '" + in.getName() + "' dimension " + i + " is not fixed");
      }
      shape[i] = sp.getDim(i).getDimValue();
    }
    long[] placeholder = shape.clone();
    vars.put(in.getName(), sd.placeHolder(variableName(in.getName()), DataType.FLOAT, placeholder));
    shapes.put(in.getName(), shape);
    for (NodeProto n : g.getNodeList()) {
      node(n);
    }
    String out = g.getOutput(0).getName();
    SDVariable o = tensor(out, null);
    String logits = out;
    NodeProto last = producer(g, out);
    if (last != null && last.getOpType().equals("Softmax")) {
      logits = last.getInput(0);
    }
    long[] outShape = shapes.get(out);
    return new ImportedGraph(sd, variableName(in.getName()), Arrays.copyOfRange(shape, 1, shape.length),
        o.name(), variableName(logits), (int) outShape[outShape.length - 1], bound, batchNorms);
  }

  private static NodeProto producer(GraphProto g, String tensor) {
    for (NodeProto n : g.getNodeList()) {
      if (n.getOutputList().contains(tensor)) {
        return n;
      }
    }
    return null;
  }

  /** The variable of an ONNX tensor: computed, the input, or a weight bound on first use. */
  private SDVariable tensor(String name, NodeProto user) {
    SDVariable v = vars.get(name);
    if (v != null) {
      return v;
    }
    OnnxWeight w = weightByName.get(name);
    if (w == null) {
      throw new InvalidInputException(graphName + ": tensor '" + name + "'" + (user == null ? "" : " used by node '"
          + nodeName(user) + "'") + " is neither computed, an input, nor a weight");
    }
    if (w.spec().dtype() != DType.F32) {
      throw new InvalidInputException(graphName + ": weight '" + name + "' is " + w.spec().dtype()
          + "; only FLOAT weights can enter the graph");
    }
    float[] values = floats(w);
    long[] shape = w.spec().shape();
    v = binder.bind(sd, w.key(), Nd4j.create(values, shape.length == 0 ? new long[0] : shape, 'c'));
    bound.add(w.key());
    vars.put(name, v);
    shapes.put(name, shape.clone());
    return v;
  }

  private float[] floats(OnnxWeight w) {
    try {
      float[] v = new float[Math.toIntExact(w.spec().numElements())];
      ByteBuffer.wrap(weights.bytes(w.key())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return v;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** INT64 values of a weight (Reshape's shape input). */
  long[] longs(String name, NodeProto user) {
    OnnxWeight w = weightByName.get(name);
    if (w == null || w.spec().dtype() != DType.I64) {
      throw new InvalidInputException(graphName + ": node '" + nodeName(user) + "' (" + user.getOpType()
          + ") needs input '" + name + "' as a constant INT64 tensor");
    }
    try {
      long[] v = new long[Math.toIntExact(w.spec().numElements())];
      ByteBuffer.wrap(weights.bytes(w.key())).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
      return v;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void node(NodeProto n) {
    if (n.getOpType().equals("Constant")) {
      return; // its tensor is a weight, bound where it is used
    }
    if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
      throw unsupported(n, "domain '" + n.getDomain() + "'");
    }
    OnnxOps.Result r = OnnxOps.map(this, n);
    for (int i = 0; i < n.getOutputCount(); i++) {
      if (i > 0 && !n.getOutput(i).isEmpty()) {
        throw unsupported(n, "output " + i + " ('" + n.getOutput(i) + "')");
      }
    }
    String out = n.getOutput(0);
    vars.put(out, r.var().rename(variableName(out)));
    shapes.put(out, r.shape());
  }

  SameDiff sd() {
    return sd;
  }

  GraphMode mode() {
    return mode;
  }

  SDVariable input(NodeProto n, int i) {
    if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
      return null;
    }
    return tensor(n.getInput(i), n);
  }

  long[] shapeOf(NodeProto n, int i) {
    tensor(n.getInput(i), n);
    return shapes.get(n.getInput(i));
  }

  void addBatchNorm(ImportedGraph.BatchNormStats s) {
    batchNorms.add(s);
  }

  /** The weight key of a node input (for BatchNorm statistics). */
  String keyOf(NodeProto n, int i) {
    OnnxWeight w = weightByName.get(n.getInput(i));
    return w == null ? null : w.key();
  }

  InvalidInputException unsupported(NodeProto n, String what) {
    return new InvalidInputException(graphName + ": ONNX op '" + n.getOpType() + "' (node '" + nodeName(n) + "'): "
        + what + " is not supported by nnzip's importer");
  }

  static String nodeName(NodeProto n) {
    return n.getName().isEmpty() ? n.getOpType() + "->" + (n.getOutputCount() > 0 ? n.getOutput(0) : "?") : n.getName();
  }
}
