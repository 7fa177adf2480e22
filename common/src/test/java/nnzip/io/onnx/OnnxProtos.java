package nnzip.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.ByteString;

/** Small factories for hand-built ONNX protos (opset 13, IR version 8) used by the tests. */
final class OnnxProtos {
  private OnnxProtos() {}

  static float[] random(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return v;
  }

  static byte[] le(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static float[] floats(byte[] le) {
    float[] v = new float[le.length / 4];
    ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  static TensorProto rawFloats(String name, float[] values, long... dims) {
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(le(values))).build();
  }

  static TensorProto typedFloats(String name, float[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(Arrays.stream(dims).boxed().toList());
    for (float f : values) {
      t.addFloatData(f);
    }
    return t.build();
  }

  static ValueInfoProto info(String name, int dataType, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    TypeProto type = TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(dataType).setShape(shape)).build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }

  static ValueInfoProto floatInfo(String name, long... dims) {
    return info(name, TensorProto.DataType.FLOAT_VALUE, dims);
  }

  static ValueInfoProto boolInfo(String name) {
    return info(name, TensorProto.DataType.BOOL_VALUE);
  }

  static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
        .addAllAttribute(List.of(attrs)).build();
  }

  static NodeProto constant(String output, TensorProto value) {
    AttributeProto a = AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
        .setT(value).build();
    return node("Constant", "const_" + output, List.of(), List.of(output), a);
  }

  static AttributeProto graphAttr(String name, GraphProto g) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
  }

  static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto intsAttr(String name, long... v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
        .addAllInts(Arrays.stream(v).boxed().toList()).build();
  }

  static GraphProto graph(String name, List<NodeProto> nodes, List<TensorProto> initializers,
      List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
    return GraphProto.newBuilder().setName(name).addAllNode(nodes).addAllInitializer(initializers)
        .addAllInput(inputs).addAllOutput(outputs).build();
  }

  static ModelProto model(GraphProto g) {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("nnzip-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
  }
}
