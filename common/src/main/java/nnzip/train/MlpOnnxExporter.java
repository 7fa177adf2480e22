package nnzip.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Writes an {@link Mlp} as a standard ONNX model (IR version 8, opset 13) that ONNX Runtime and
 * PyTorch load unchanged: input {@code input} float [N, in] with a symbolic batch dimension
 * {@code N}, one {@code Gemm(transB=1)} per layer with {@code Relu} between, output
 * {@code logits} float [N, classes]. The weights are graph initializers named as in
 * {@link Mlp#toTensors()}, stored as raw little-endian data, which is how
 * {@code torch.onnx.export} lays out an {@code nn.Sequential} of {@code nn.Linear}.
 */
public final class MlpOnnxExporter {
  /** ONNX IR version written. */
  public static final long IR_VERSION = 8;
  /** Opset of the default domain written. */
  public static final long OPSET = 13;
  /** Name of the graph input. */
  public static final String INPUT = "input";
  /** Name of the graph output. */
  public static final String OUTPUT = "logits";
  /** Name of the symbolic batch dimension. */
  public static final String BATCH_DIM = "N";

  private MlpOnnxExporter() {}

  /** The model as an ONNX {@code ModelProto}. */
  public static Onnx.ModelProto toModel(Mlp mlp) {
    Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("nnzip_mlp");
    graph.addInput(valueInfo(INPUT, mlp.inputSize()));
    graph.addOutput(valueInfo(OUTPUT, mlp.outputSize()));
    for (Map.Entry<String, FloatTensor> e : mlp.toTensors().entrySet()) {
      graph.addInitializer(initializer(e.getValue()));
    }
    String h = INPUT;
    int layers = mlp.layers().size();
    for (int i = 0; i < layers; i++) {
      String fc = "fc" + (i + 1);
      boolean last = i == layers - 1;
      String z = last ? OUTPUT : fc + ".out";
      graph.addNode(Onnx.NodeProto.newBuilder()
          .setName(fc)
          .setOpType("Gemm")
          .addAllInput(List.of(h, Mlp.weightName(i), Mlp.biasName(i)))
          .addOutput(z)
          .addAttribute(Onnx.AttributeProto.newBuilder()
              .setName("transB").setType(Onnx.AttributeProto.AttributeType.INT).setI(1)));
      if (!last) {
        h = "relu" + (i + 1) + ".out";
        graph.addNode(Onnx.NodeProto.newBuilder()
            .setName("relu" + (i + 1)).setOpType("Relu").addInput(z).addOutput(h));
      }
    }
    return Onnx.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName("nnzip")
        .setGraph(graph)
        .build();
  }

  /** The serialized ONNX model. */
  public static byte[] toBytes(Mlp mlp) {
    return toModel(mlp).toByteArray();
  }

  /**
   * Writes the ONNX model to a Hadoop path, replacing an existing file.
   *
   * @throws UncheckedIOException if the file system fails
   */
  public static void write(Mlp mlp, Path path, Configuration conf) {
    byte[] bytes = toBytes(mlp);
    try {
      FileSystem fs = path.getFileSystem(conf);
      try (OutputStream out = fs.create(path, true)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private static Onnx.ValueInfoProto valueInfo(String name, int width) {
    Onnx.TensorShapeProto shape = Onnx.TensorShapeProto.newBuilder()
        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM))
        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(width))
        .build();
    return Onnx.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
            .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
        .build();
  }

  private static Onnx.TensorProto initializer(FloatTensor t) {
    float[] data = t.data();
    ByteBuffer raw = ByteBuffer.allocate(Math.multiplyExact(data.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(data);
    Onnx.TensorProto.Builder b = Onnx.TensorProto.newBuilder()
        .setName(t.spec().name())
        .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(raw.array()));
    for (long d : t.spec().shape()) {
      b.addDims(d);
    }
    return b.build();
  }
}
