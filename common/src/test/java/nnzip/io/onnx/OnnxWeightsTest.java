package nnzip.io.onnx;

import static nnzip.io.onnx.OnnxProtos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.protobuf.ByteString;

class OnnxWeightsTest {

  /** Asserts keys in walk order, specs and bytes equal what the builder put in. */
  static void assertEnumerates(TestModels.TestModel tm, OnnxWeights ws) throws IOException {
    assertEquals(List.copyOf(tm.specs().keySet()), ws.list().stream().map(OnnxWeight::key).toList());
    for (OnnxWeight w : ws.list()) {
      assertEquals(tm.specs().get(w.key()), w.spec(), w.key());
      assertArrayEquals(tm.bytes().get(w.key()), ws.bytes(w.key()), w.key());
    }
  }

  @Test
  void mlpInitializersAreFoundByNameInGraphOrder() throws IOException {
    TestModels.TestModel tm = TestModels.mlp(1);
    OnnxWeights ws = OnnxWeights.of(tm.model());
    assertEnumerates(tm, ws);
    for (OnnxWeight w : ws.list()) {
      assertEquals(WeightPlacement.INITIALIZER, w.placement());
      assertEquals(WeightStorage.RAW_DATA, w.storage());
      assertEquals(0, w.depth());
      assertNull(w.external());
    }
    assertEquals((20 + 5 + 15 + 3) * 4, ws.totalBytes());
  }

  @Test
  void constantNodeWeightsAreKeyedByOutputNameAndValueIntsConstantsAreNotWeights() throws IOException {
    TestModels.TestModel tm = TestModels.constants(2);
    OnnxWeights ws = OnnxWeights.of(tm.model());
    assertEnumerates(tm, ws);
    assertEquals(List.of("W", "b"), ws.list().stream().map(OnnxWeight::key).toList());
    assertEquals(WeightPlacement.CONSTANT_NODE, ws.get("W").placement());
    assertEquals("W", ws.get("W").tensorName());
  }

  @Test
  void nestedBranchWeightsArePrefixedByOwningNodeAndAttributeAtEveryDepth() throws IOException {
    TestModels.TestModel tm = TestModels.nested(3);
    OnnxWeights ws = OnnxWeights.of(tm.model());
    assertEnumerates(tm, ws);
    OnnxWeight inner = ws.get("If_outer/then_branch/If_inner/else_branch/k_te");
    assertEquals(2, inner.depth());
    assertEquals(WeightPlacement.CONSTANT_NODE, inner.placement());
    assertEquals("k_te", inner.tensorName());
    assertEquals(WeightPlacement.INITIALIZER, ws.get("If_outer/then_branch/If_inner/else_branch/b_te").placement());
    assertEquals(1, ws.get("If_outer/else_branch/W_e").depth());
    assertFalse(ws.get("scale").inSubgraph());
  }

  @Test
  void externalDataIsLocatedRelativeToTheModelDirectory(@TempDir Path dir) throws IOException {
    TestModels.TestModel tm = TestModels.external(4, dir);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    OnnxWeights ws = OnnxWeights.read(fs, new org.apache.hadoop.fs.Path(tm.file().toUri()));
    assertEnumerates(tm, ws);
    OnnxWeight b = ws.get("b");
    assertEquals(WeightStorage.EXTERNAL, b.storage());
    assertEquals(64, b.external().offset());
    assertTrue(b.external().file().endsWith("/data/weights.bin"), b.external().file());
    assertEquals(WeightStorage.RAW_DATA, ws.get("s").storage());
  }

  @Test
  void typedFieldsAreReadAsLittleEndianBytes() throws IOException {
    TestModels.TestModel tm = TestModels.typed(5);
    OnnxWeights ws = OnnxWeights.of(tm.model());
    assertEnumerates(tm, ws);
    ws.list().forEach(w -> assertEquals(WeightStorage.TYPED_FIELDS, w.storage(), w.key()));
    assertEquals(DType.F16, ws.get("b16").spec().dtype());
  }

  @Test
  void everyDataTypeReadsTheSameFromTypedFieldsAsFromRawData() throws IOException {
    long[] values = {0, 1, -2, 127, -128, 255, 0x3C00, 0xBF80};
    for (DType dtype : DType.values()) {
      TensorSpec spec = new TensorSpec("t", dtype, new long[] {values.length});
      java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate((int) spec.byteSize()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      TensorProto.Builder typed = TensorProto.newBuilder().setName("t").setDataType(OnnxDataTypes.toOnnx(dtype)).addDims(values.length);
      for (long v : values) {
        long x = dtype == DType.BOOL ? (v != 0 ? 1 : 0) : v;
        switch (dtype) {
          case F32 -> { typed.addFloatData(x); raw.putFloat(x); }
          case F64 -> { typed.addDoubleData(x); raw.putDouble(x); }
          case I64 -> { typed.addInt64Data(x); raw.putLong(x); }
          case U64 -> { typed.addUint64Data(x); raw.putLong(x); }
          case U32 -> { typed.addUint64Data(x & 0xFFFFFFFFL); raw.putInt((int) x); }
          case I32 -> { typed.addInt32Data((int) x); raw.putInt((int) x); }
          case F16, BF16, U16 -> { typed.addInt32Data((int) x & 0xFFFF); raw.putShort((short) x); }
          case I16 -> { typed.addInt32Data((short) x); raw.putShort((short) x); }
          case U8, BOOL -> { typed.addInt32Data((int) x & 0xFF); raw.put((byte) x); }
          case I8 -> { typed.addInt32Data((byte) x); raw.put((byte) x); }
        }
      }
      TensorProto asRaw = typed.clone().clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data()
          .clearUint64Data().setRawData(ByteString.copyFrom(raw.array())).build();
      OnnxWeights fromTyped = OnnxWeights.of(model(graph("g", List.of(), List.of(typed.build()), List.of(), List.of())));
      OnnxWeights fromRaw = OnnxWeights.of(model(graph("g", List.of(), List.of(asRaw), List.of(), List.of())));
      assertEquals(spec, fromTyped.get("t").spec(), dtype.name());
      assertArrayEquals(raw.array(), fromTyped.bytes("t"), dtype.name());
      assertArrayEquals(raw.array(), fromRaw.bytes("t"), dtype.name());
    }
  }

  @Test
  void tensorsWithoutANumericTypeAreNotWeightsAndKeepTheirDataWhenStripped() {
    TensorProto text = TensorProto.newBuilder().setName("vocab").setDataType(TensorProto.DataType.STRING_VALUE)
        .addDims(1).addStringData(ByteString.copyFromUtf8("hello")).build();
    TensorProto complex = TensorProto.newBuilder().setName("c").setDataType(TensorProto.DataType.COMPLEX64_VALUE)
        .addDims(1).setRawData(ByteString.copyFrom(new byte[8])).build();
    ModelProto m = model(graph("g", List.of(), List.of(text, rawFloats("w", new float[] {1f}, 1), complex), List.of(), List.of()));
    OnnxWeights ws = OnnxWeights.of(m);
    assertEquals(List.of("w"), ws.list().stream().map(OnnxWeight::key).toList());
    GraphProto stripped = ws.stripped().getGraph();
    assertEquals(text, stripped.getInitializer(0));
    assertEquals(complex, stripped.getInitializer(2));
    assertTrue(stripped.getInitializer(1).getRawData().isEmpty());
  }

  @Test
  void clashingKeysGetNumberedSuffixesInWalkOrder() throws IOException {
    GraphProto g = graph("g", List.of(constant("w", rawFloats("x", new float[] {3f}, 1))),
        List.of(rawFloats("w", new float[] {1f}, 1), rawFloats("w", new float[] {2f}, 1), rawFloats("w~2", new float[] {4f}, 1)),
        List.of(), List.of());
    OnnxWeights ws = OnnxWeights.of(model(g));
    assertEquals(List.of("w", "w~2", "w~2~2", "w~3"), ws.list().stream().map(OnnxWeight::key).toList());
    assertArrayEquals(new float[] {2f}, floats(ws.bytes("w~2")));
    assertArrayEquals(new float[] {4f}, floats(ws.bytes("w~2~2")));
    assertArrayEquals(new float[] {3f}, floats(ws.bytes("w~3")));
    assertEquals(ws.list(), OnnxWeights.of(model(g)).list(), "same model, same keys");
  }

  @Test
  void unnamedNodesAndInitializersGetPositionalLabels() {
    GraphProto branch = graph("b", List.of(), List.of(rawFloats("", new float[] {1f}, 1)), List.of(), List.of());
    GraphProto g = graph("g", List.of(node("Relu", "", List.of("X"), List.of("r")),
        node("If", "", List.of("c1"), List.of("y"), graphAttr("then_branch", branch))), List.of(), List.of(), List.of());
    OnnxWeights ws = OnnxWeights.of(model(g));
    assertEquals(List.of("If@1/then_branch/initializer@0"), ws.list().stream().map(OnnxWeight::key).toList());
  }

  @Test
  void graphsAttributesAreIndexedAndLoopBodiesAreWalked() {
    GraphProto g0 = graph("g0", List.of(), List.of(rawFloats("w", new float[] {1f}, 1)), List.of(), List.of());
    GraphProto g1 = graph("g1", List.of(), List.of(rawFloats("w", new float[] {2f}, 1)), List.of(), List.of());
    GraphProto body = graph("body", List.of(constant("c", rawFloats("c", new float[] {3f}, 1))), List.of(), List.of(), List.of());
    onnx.Onnx.AttributeProto graphs = onnx.Onnx.AttributeProto.newBuilder().setName("branches")
        .setType(onnx.Onnx.AttributeProto.AttributeType.GRAPHS).addGraphs(g0).addGraphs(g1).build();
    GraphProto g = graph("g", List.of(node("Multi", "multi", List.of(), List.of("m"), graphs),
        node("Loop", "loop", List.of("n", "cond"), List.of("l"), graphAttr("body", body))), List.of(), List.of(), List.of());
    OnnxWeights ws = OnnxWeights.of(model(g));
    assertEquals(List.of("multi/branches[0]/w", "multi/branches[1]/w", "loop/body/c"),
        ws.list().stream().map(OnnxWeight::key).toList());
    assertEquals(WeightPlacement.CONSTANT_NODE, ws.get("loop/body/c").placement());
  }

  @Test
  void zeroElementTensorIsAnEmptyRawWeight() throws IOException {
    OnnxWeights ws = OnnxWeights.of(model(graph("g", List.of(), List.of(rawFloats("e", new float[0], 0, 3)), List.of(), List.of())));
    assertEquals(0, ws.bytes("e").length);
    assertEquals(WeightStorage.RAW_DATA, ws.get("e").storage());
  }

  @Test
  void strippedGraphKeepsNamesDimsAndTypesButNoData() throws Exception {
    TestModels.TestModel tm = TestModels.nested(6);
    OnnxWeights ws = OnnxWeights.of(tm.model());
    ModelProto stripped = ws.stripped();
    List<TensorProto> before = new java.util.ArrayList<>();
    List<TensorProto> after = new java.util.ArrayList<>();
    WeightSites.<Exception>walk(wire(tm.model()), (site, t) -> before.add(TensorProto.parseFrom(t.toByteArray())));
    WeightSites.<Exception>walk(wire(stripped), (site, t) -> after.add(TensorProto.parseFrom(t.toByteArray())));
    assertEquals(tm.specs().size(), after.size());
    for (int i = 0; i < after.size(); i++) {
      TensorProto t = after.get(i);
      String key = ws.list().get(i).key();
      assertTrue(t.getRawData().isEmpty() && t.getFloatDataCount() == 0 && t.getExternalDataCount() == 0, key);
      assertEquals(before.get(i).toBuilder().clearRawData().build(), t, key);
    }
    assertTrue(ws.strippedBytes().length <= tm.model().getSerializedSize() - ws.totalBytes());
    assertEquals(tm.model().getGraph().getNodeCount(), stripped.getGraph().getNodeCount());
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxWeights.of(stripped));
    assertTrue(e.getMessage().contains("'scale'") && e.getMessage().contains("no data"), e.getMessage());
  }

  @Test
  void rawDataOfTheWrongSizeIsRejectedNamingTheTensor() {
    TensorProto bad = rawFloats("W_t", new float[11], 4, 3);
    TestModels.TestModel tm = TestModels.nested(7);
    ModelProto.Builder b = tm.model().toBuilder();
    b.getGraphBuilder().getNodeBuilder(0).getAttributeBuilder(0).getGBuilder().setInitializer(0, bad);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxWeights.of(b.build()));
    assertTrue(e.getMessage().contains("'If_outer/then_branch/W_t'") && e.getMessage().contains("44 bytes, expected 48"),
        e.getMessage());
  }

  @Test
  void typedFieldWithTheWrongCountIsRejectedNamingTheTensor() {
    ModelProto m = model(graph("g", List.of(), List.of(typedFloats("W", new float[5], 2, 3)), List.of(), List.of()));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxWeights.of(m));
    assertTrue(e.getMessage().contains("'W'") && e.getMessage().contains("float_data holds 5"), e.getMessage());
  }

  @Test
  void unknownKeyIsAnArgumentError() {
    OnnxWeights ws = OnnxWeights.of(TestModels.mlp(8).model());
    assertThrows(IllegalArgumentException.class, () -> ws.get("nope"));
    assertEquals(Map.copyOf(ws.byKey()).keySet(), TestModels.mlp(8).specs().keySet());
  }

  private static OnnxProto.Model wire(ModelProto m) {
    return OnnxProto.Model.parse(m.toByteArray(), "test");
  }
}
