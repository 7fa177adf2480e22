package nnzip.prune;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import onnx.Onnx;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Small ONNX graphs for the pruning tests (IR 8, opset 13, input "x" [N, dims...], output "y"),
 * random weights from a seed, plus what the tests do to models: zero channels by tensor name,
 * move initializers into Constant nodes (as Paddle2ONNX exports), and run ONNX Runtime.
 */
final class Net {
  private final Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("net");
  private final SplittableRandom rng;
  private int counter;

  Net(long seed, long... inputDims) {
    rng = new SplittableRandom(seed);
    g.addInput(valueInfo("x", inputDims));
  }

  String weight(String name, long... dims) {
    float[] v = new float[(int) Arrays.stream(dims).reduce(1, Math::multiplyExact)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * 0.5);
    }
    g.addInitializer(floats(name, v, dims));
    return name;
  }

  String longs(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    Arrays.stream(values).forEach(b::putLong);
    g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(values.length).setRawData(ByteString.copyFrom(b.array())));
    return name;
  }

  String conv(String x, String name, int in, int out, int k, int group, boolean bias) {
    weight(name + ".weight", out, in / group, k, k);
    List<String> ins = new ArrayList<>(List.of(x, name + ".weight"));
    if (bias) {
      ins.add(weight(name + ".bias", out));
    }
    return op("Conv", name, ins, ints("kernel_shape", k, k), ints("pads", k / 2, k / 2, k / 2, k / 2),
        integer("group", group));
  }

  String batchNorm(String x, String name, int c) {
    weight(name + ".weight", c);
    weight(name + ".bias", c);
    weight(name + ".running_mean", c);
    float[] var = new float[c];
    for (int i = 0; i < c; i++) {
      var[i] = (float) (0.5 + rng.nextDouble());
    }
    g.addInitializer(floats(name + ".running_var", var, c));
    return op("BatchNormalization", name, List.of(x, name + ".weight", name + ".bias", name + ".running_mean",
        name + ".running_var"));
  }

  String gemm(String x, String name, int in, int out) {
    weight(name + ".weight", out, in);
    weight(name + ".bias", out);
    return op("Gemm", name, List.of(x, name + ".weight", name + ".bias"), integer("transB", 1));
  }

  String op(String type, String name, List<String> inputs, AttributeProto... attrs) {
    String n = name != null ? name : type.toLowerCase(java.util.Locale.ROOT) + "_" + (++counter);
    g.addNode(NodeProto.newBuilder().setOpType(type).setName(n).addAllInput(inputs).addOutput(n + ".out")
        .addAllAttribute(List.of(attrs)));
    return n + ".out";
  }

  String op(String type, String... inputs) {
    return op(type, null, List.of(inputs));
  }

  /** Declares {@code x} the output "y" (renaming the last node's output) and returns the model. */
  Onnx.ModelProto finish(String x, long... dims) {
    NodeProto.Builder last = g.getNodeBuilder(g.getNodeCount() - 1);
    if (!last.getOutput(0).equals(x)) {
      throw new IllegalStateException("the output must be the last node's");
    }
    last.setOutput(0, "y");
    g.addOutput(valueInfo("y", dims));
    return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
  }

  static AttributeProto ints(String name, long... v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS)
        .addAllInts(Arrays.stream(v).boxed().toList()).build();
  }

  static AttributeProto integer(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  // ---- what the tests do to models ---------------------------------------------------------------

  /** The model with channels {@code drop} of {@code tensor} along {@code axis} set to zero. */
  static Onnx.ModelProto zero(Onnx.ModelProto m, String tensor, int axis, int[] drop) {
    Onnx.ModelProto.Builder b = m.toBuilder();
    for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
      if (t.getName().equals(tensor)) {
        float[] v = values(t.build());
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
          inner *= dims[i];
        }
        for (int i = 0; i < v.length; i++) {
          int c = (int) ((i / inner) % dims[axis]);
          if (Arrays.stream(drop).anyMatch(d -> d == c)) {
            v[i] = 0f;
          }
        }
        t.setRawData(floats(tensor, v, dims).getRawData());
        return b.build();
      }
    }
    throw new IllegalArgumentException("no initializer " + tensor);
  }

  /**
   * Two conv branches (4 and 5 channels) joined by a Concat that feeds both a conv (through Relu,
   * GlobalAveragePool, Flatten) and a Gemm (through Flatten: 9 blocks of 36 features), summed before
   * the classifier; input [N, 3, 6, 6].
   */
  static Onnx.ModelProto concatAndFlatten() {
    Net n = new Net(8, 3, 6, 6);
    String a = n.op("Relu", n.conv("x", "a", 3, 4, 3, 1, true));
    String b = n.conv("x", "b", 3, 5, 1, 1, true);
    String c = n.op("Concat", null, List.of(a, b), integer("axis", 1));
    String y1 = n.op("Flatten", n.op("GlobalAveragePool", n.op("Relu", n.conv(c, "c", 9, 6, 3, 1, true))));
    String y2 = n.gemm(n.op("Flatten", c), "g", 9 * 36, 6);
    return n.finish(n.gemm(n.op("Relu", n.op("Add", y1, y2)), "out", 6, 10), 10);
  }

  /** The model with every FLOAT initializer given random values (running_var positive). */
  static Onnx.ModelProto randomize(Onnx.ModelProto m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Onnx.ModelProto.Builder b = m.toBuilder();
    for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
      if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
        continue;
      }
      float[] v = values(t.build());
      for (int i = 0; i < v.length; i++) {
        v[i] = t.getName().endsWith("running_var") ? (float) (0.5 + r.nextDouble()) : (float) (r.nextGaussian() * 0.3);
      }
      t.setRawData(floats("", v).getRawData());
    }
    return b.build();
  }

  /** The model with every initializer moved into a Constant node at the front, as Paddle2ONNX writes. */
  static Onnx.ModelProto asConstantNodes(Onnx.ModelProto m) {
    Onnx.ModelProto.Builder b = m.toBuilder();
    Onnx.GraphProto.Builder g = b.getGraphBuilder();
    List<NodeProto> constants = new ArrayList<>();
    for (TensorProto t : g.getInitializerList()) {
      constants.add(NodeProto.newBuilder().setOpType("Constant").setName("const_" + t.getName()).addOutput(t.getName())
          .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeType.TENSOR)
              .setT(t.toBuilder().clearName())).build());
    }
    List<NodeProto> nodes = new ArrayList<>(constants);
    nodes.addAll(g.getNodeList());
    g.clearInitializer().clearNode().addAllNode(nodes);
    return b.build();
  }

  static float[] values(TensorProto t) {
    FloatBuffer f = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] v = new float[f.remaining()];
    f.get(v);
    return v;
  }

  /** Total elements of all FLOAT initializers and FLOAT Constant nodes. */
  static long floatParameters(Onnx.ModelProto m) {
    long n = 0;
    for (TensorProto t : m.getGraph().getInitializerList()) {
      n += t.getDataType() == TensorProto.DataType.FLOAT_VALUE ? t.getDimsList().stream().reduce(1L, Math::multiplyExact) : 0;
    }
    return n;
  }

  static float[] randomInput(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** The first output of the model in ONNX Runtime for one FLOAT input. */
  static float[] run(byte[] model, float[] x, long... shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(model, o);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] v = new float[out.remaining()];
        out.get(v);
        return v;
      }
    }
  }

  private static TensorProto floats(String name, float[] v, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(b.array())).build();
  }

  private static Onnx.ValueInfoProto valueInfo(String name, long[] dims) {
    Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder()
        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (long d : dims) {
      s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
        Onnx.TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
  }
}
