package nnzip.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import onnx.Onnx;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Builds small ONNX test graphs (IR 8, opset 13 unless told otherwise): one FLOAT input with a
 * symbolic batch dimension, random FLOAT initializers drawn from a seeded {@link SplittableRandom},
 * nodes with attributes, and one output.
 */
final class TestGraph {
  private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
  private final SplittableRandom rng;
  private long opset = 13;

  TestGraph(String name, long seed) {
    graph.setName(name);
    rng = new SplittableRandom(seed);
  }

  /** Declares a FLOAT input [N, dims...] (N symbolic) and returns its name. */
  String input(String name, long... dims) {
    Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder()
        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (long d : dims) {
      s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT_VALUE, s));
    return name;
  }

  /** Declares an INT64 input [N, dims...]. */
  String longInput(String name, long... dims) {
    Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder()
        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (long d : dims) {
      s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    graph.addInput(valueInfo(name, TensorProto.DataType.INT64_VALUE, s));
    return name;
  }

  /** Declares a FLOAT input of fully fixed shape (dimension 0 is still the batch to nnzip). */
  String fixedInput(String name, long... dims) {
    Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT_VALUE, s));
    return name;
  }

  /** Adds a random N(0, 1)·scale FLOAT initializer stored as raw little-endian bytes. */
  String weight(String name, double scale, long... dims) {
    graph.addInitializer(floatTensor(name, random(count(dims), scale), dims));
    return name;
  }

  /** Adds a FLOAT initializer with these values, stored in float_data. */
  String typedWeight(String name, float[] values, long... dims) {
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(boxed(dims)).addAllFloatData(boxedFloats(values)));
    return name;
  }

  /** Adds a FLOAT initializer with these values, stored raw. */
  String weight(String name, float[] values, long... dims) {
    graph.addInitializer(floatTensor(name, values, dims));
    return name;
  }

  /** Adds an INT64 initializer (e.g. a Reshape shape). */
  String longs(String name, long... values) {
    graph.addInitializer(longTensor(name, values));
    return name;
  }

  /** Adds a Constant node whose value is a random FLOAT tensor; returns its output name. */
  String constant(String output, double scale, long... dims) {
    node("Constant", List.of(), output).addAttribute(AttributeProto.newBuilder().setName("value")
        .setType(AttributeType.TENSOR).setT(floatTensor("", random(count(dims), scale), dims)));
    return output;
  }

  /** Adds a Constant node holding INT64 values. */
  String constantLongs(String output, long... values) {
    node("Constant", List.of(), output).addAttribute(AttributeProto.newBuilder().setName("value")
        .setType(AttributeType.TENSOR).setT(longTensor("", values)));
    return output;
  }

  /** Adds a node named after its first output; attributes go on the returned builder. */
  NodeProto.Builder node(String op, List<String> inputs, String... outputs) {
    return graph.addNodeBuilder().setOpType(op).setName(op.toLowerCase(java.util.Locale.ROOT) + ":" + outputs[0])
        .addAllInput(inputs).addAllOutput(List.of(outputs));
  }

  /** Sets the default-domain opset (13 unless changed). */
  TestGraph opset(long v) {
    opset = v;
    return this;
  }

  /** The model with {@code output} as its one FLOAT output (shape left to inference). */
  Onnx.ModelProto build(String output) {
    Onnx.GraphProto.Builder g = graph.clone();
    g.addOutput(valueInfo(output, TensorProto.DataType.FLOAT_VALUE, null));
    return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("nnzip-test")
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
  }

  /** n random values N(0, 1)·scale. */
  float[] random(int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rng.nextGaussian() * scale);
    }
    return v;
  }

  /** n random values uniform in [lo, hi). */
  float[] uniform(int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextDouble(lo, hi);
    }
    return v;
  }

  static AttributeProto i(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  static AttributeProto f(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(v).build();
  }

  static AttributeProto s(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
  }

  static AttributeProto ints(String name, long... v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS).addAllInts(boxed(v)).build();
  }

  static int count(long... dims) {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return Math.toIntExact(n);
  }

  private static TensorProto floatTensor(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addAllDims(boxed(dims))
        .setRawData(ByteString.copyFrom(b.array())).build();
  }

  private static TensorProto longTensor(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(values.length).setRawData(ByteString.copyFrom(b.array())).build();
  }

  private static Onnx.ValueInfoProto valueInfo(String name, int elemType, Onnx.TensorShapeProto.Builder shape) {
    Onnx.TypeProto.Tensor.Builder t = Onnx.TypeProto.Tensor.newBuilder().setElemType(elemType);
    if (shape != null) {
      t.setShape(shape);
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(t)).build();
  }

  private static List<Long> boxed(long[] v) {
    return Arrays.stream(v).boxed().toList();
  }

  private static List<Float> boxedFloats(float[] v) {
    Float[] b = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = v[i];
    }
    return Arrays.asList(b);
  }
}
