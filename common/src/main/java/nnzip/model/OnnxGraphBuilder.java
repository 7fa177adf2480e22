package nnzip.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import onnx.Onnx;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Writes small ONNX classifiers layer by layer (IR 8, opset 13, NCHW, raw little-endian FLOAT
 * initializers named like PyTorch's state dict), He-initialized from one {@link SplittableRandom}
 * so a seed gives byte-identical models. Each layer method returns the name of its output tensor.
 */
final class OnnxGraphBuilder {
  private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
  private final SplittableRandom rng;
  private int counter;

  OnnxGraphBuilder(String name, long seed) {
    graph.setName(name);
    rng = new SplittableRandom(seed);
  }

  /** Declares the input [N, shape...] and returns its name. */
  String input(int[] shape) {
    graph.addInput(valueInfo("input", shape));
    return "input";
  }

  String conv(String x, String name, int in, int out, int k, int stride, int pad, boolean bias) {
    initializer(name + ".weight", he(out * in * k * k, in * k * k), out, in, k, k);
    NodeProto.Builder n = node("Conv", name, x, name + ".weight");
    if (bias) {
      initializer(name + ".bias", new float[out], out);
      n.addInput(name + ".bias");
    }
    n.addAttribute(ints("kernel_shape", k, k)).addAttribute(ints("strides", stride, stride))
        .addAttribute(ints("pads", pad, pad, pad, pad));
    return add(n);
  }

  String batchNorm(String x, String name, int channels) {
    float[] ones = new float[channels];
    Arrays.fill(ones, 1f);
    initializer(name + ".weight", ones, channels);
    initializer(name + ".bias", new float[channels], channels);
    initializer(name + ".running_mean", new float[channels], channels);
    initializer(name + ".running_var", ones.clone(), channels);
    NodeProto.Builder n = node("BatchNormalization", name, x, name + ".weight", name + ".bias", name + ".running_mean",
        name + ".running_var");
    n.addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT).setF(1e-5f));
    n.addAttribute(AttributeProto.newBuilder().setName("momentum").setType(AttributeProto.AttributeType.FLOAT).setF(0.9f));
    return add(n);
  }

  /** Gemm with a [out, in] weight (transB = 1), as torch.nn.Linear exports. */
  String linear(String x, String name, int in, int out) {
    initializer(name + ".weight", he(out * in, in), out, in);
    initializer(name + ".bias", new float[out], out);
    NodeProto.Builder n = node("Gemm", name, x, name + ".weight", name + ".bias");
    n.addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1));
    return add(n);
  }

  String relu(String x) {
    return add(node("Relu", null, x));
  }

  String maxPool(String x, int k) {
    return add(node("MaxPool", null, x).addAttribute(ints("kernel_shape", k, k)).addAttribute(ints("strides", k, k)));
  }

  String globalAveragePool(String x) {
    return add(node("GlobalAveragePool", null, x));
  }

  String flatten(String x) {
    return add(node("Flatten", null, x).addAttribute(
        AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)));
  }

  String add(String a, String b) {
    return add(node("Add", null, a, b));
  }

  /** Renames the last node's output to "logits", declares it, and returns the model. */
  Onnx.ModelProto finish(String x, int classes) {
    Onnx.NodeProto.Builder last = graph.getNodeBuilder(graph.getNodeCount() - 1);
    if (!last.getOutput(0).equals(x)) {
      throw new IllegalStateException("the output must be the last node's");
    }
    last.setOutput(0, "logits");
    graph.addOutput(valueInfo("logits", new int[] {classes}));
    return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("nnzip")
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph).build();
  }

  private NodeProto.Builder node(String op, String name, String... inputs) {
    String n = name != null ? name : op.toLowerCase(java.util.Locale.ROOT) + "_" + (++counter);
    return NodeProto.newBuilder().setOpType(op).setName(n).addAllInput(List.of(inputs)).addOutput(n + ".out");
  }

  private String add(NodeProto.Builder n) {
    graph.addNode(n);
    return n.getOutput(0);
  }

  /** He (Kaiming) normal: N(0, 2 / fanIn). */
  private float[] he(int count, int fanIn) {
    float[] w = new float[count];
    double std = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < count; i++) {
      w[i] = (float) (rng.nextGaussian() * std);
    }
    return w;
  }

  private void initializer(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    graph.addInitializer(Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(b.array())));
  }

  private static AttributeProto ints(String name, long... v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
        .addAllInts(Arrays.stream(v).boxed().toList()).build();
  }

  private static Onnx.ValueInfoProto valueInfo(String name, int[] shape) {
    Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder()
        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (int d : shape) {
      s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
        Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
  }
}
