package nnzip.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.model.Architecture;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/**
 * nnzip's wire view against protobuf-java's generated ONNX classes (the independent reference):
 * the same bytes back when nothing changes, the same bytes as protobuf-java for the same edit, and
 * the same values read.
 */
class OnnxProtoTest {
  private static List<ModelProto> models() throws Exception {
    return List.of(TestModels.mlp(1).model(), TestModels.constants(2).model(), TestModels.nested(3).model(),
        TestModels.typed(4).model(), Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1));
  }

  @Test
  void aModelReadAndWrittenBackIsTheSameBytes() throws Exception {
    for (ModelProto m : models()) {
      byte[] b = m.toByteArray();
      assertArrayEquals(b, OnnxProto.Model.parse(b, "m").toByteArray());
      assertArrayEquals(b, OnnxProto.Model.parse(b, "m").copy().toByteArray());
    }
  }

  @Test
  void editsGiveTheBytesProtobufWrites() throws Exception {
    for (ModelProto m : models()) {
      OnnxProto.Model w = OnnxProto.Model.parse(m.toByteArray(), "m");
      ModelProto.Builder b = m.toBuilder();
      // New raw data for every initializer (typed fields cleared), one dropped, metadata in and out.
      List<OnnxProto.Tensor> inits = w.getGraph().getInitializerList();
      for (int i = 0; i < inits.size(); i++) {
        byte[] raw = new byte[inits.get(i).getDimsList().stream().mapToInt(Long::intValue).reduce(1, (x, y) -> x * y)];
        Arrays.fill(raw, (byte) i);
        inits.get(i).setRawData(raw);
        b.getGraphBuilder().getInitializerBuilder(i).clearFloatData().clearInt32Data().clearInt64Data()
            .clearDoubleData().clearUint64Data().clearExternalData().clearDataLocation()
            .setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(raw));
      }
      if (!inits.isEmpty()) {
        String dropped = inits.get(0).getName();
        w.getGraph().removeInitializers(t -> t.getName().equals(dropped));
        b.getGraphBuilder().removeInitializer(0);
      }
      w.addMetadata("k", "v").addMetadata("k2", "w").removeMetadata("k");
      b.addMetadataProps(StringStringEntryProto.newBuilder().setKey("k2").setValue("w"));
      w.getGraph().addInitializer(OnnxProto.Tensor.floats("extra", new long[] {2, 1}, new byte[8]));
      b.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("extra").addDims(2).addDims(1)
          .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(
              new byte[8])));
      w.getGraph().clearValueInfo();
      b.getGraphBuilder().clearValueInfo();
      assertArrayEquals(b.build().toByteArray(), w.toByteArray());
    }
  }

  @Test
  void readsWhatProtobufReads() throws Exception {
    ModelProto m = TestModels.typed(5).model();
    OnnxProto.Model w = OnnxProto.Model.parse(m.toByteArray(), "m");
    assertEquals(m.getIrVersion(), w.getIrVersion());
    assertEquals(m.getGraph().getNodeCount(), w.getGraph().getNodeCount());
    for (int i = 0; i < m.getGraph().getNodeCount(); i++) {
      var a = m.getGraph().getNode(i);
      var b = w.getGraph().getNode(i);
      assertEquals(a.getOpType(), b.getOpType());
      assertEquals(a.getInputList(), b.getInputList());
      assertEquals(a.getOutputList(), b.getOutputList());
    }
    for (int i = 0; i < m.getGraph().getInitializerCount(); i++) {
      TensorProto a = m.getGraph().getInitializer(i);
      OnnxProto.Tensor b = w.getGraph().getInitializerList().get(i);
      assertEquals(a.getName(), b.getName());
      assertEquals(a.getDimsList(), b.getDimsList());
      assertEquals(a.getDataType(), b.getDataType());
      assertEquals(a.getFloatDataList(), Arrays.asList(box(b.floatData())));
      assertEquals(a.getInt64DataList(), Arrays.stream(b.int64Data()).boxed().toList());
      assertEquals(a.getInt32DataList(), Arrays.stream(b.int32Data()).mapToObj(v -> (int) v).toList());
    }
  }

  @Test
  void damagedBytesAreNoModel() throws Exception {
    byte[] b = TestModels.nested(6).model().toByteArray();
    assertThrows(InvalidInputException.class, () -> OnnxProto.Model.parse(Arrays.copyOf(b, b.length - 3), "cut"));
    assertThrows(InvalidInputException.class, () -> OnnxProto.Model.parse(new byte[] {1, 2, 3}, "junk"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxProto.Model.parse(new byte[0], "empty"));
    assertTrue(e.getMessage().startsWith("not an ONNX model: empty"), e.getMessage());
  }

  private static Float[] box(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
