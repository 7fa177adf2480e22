package nnzip.io.onnx;

import static nnzip.io.onnx.OnnxProtos.*;
import static nnzip.io.onnx.Reference.*;
import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxWeightWriterTest {
  private static final double TOLERANCE = 1e-5;
  private final SplittableRandom rng = new SplittableRandom(42);

  /** Strips, restores from the enumerated bytes, and checks keys, bytes and the rest of the model. */
  private static byte[] stripAndRestore(OnnxWeights ws) throws IOException {
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    for (OnnxWeight w : ws.list()) {
      bytes.put(w.key(), ws.bytes(w.key()));
    }
    byte[] restored = OnnxWeightWriter.restoreBytes(ws.strippedBytes(), bytes);
    OnnxWeights again = OnnxWeights.of(OnnxModelFile.parse(restored, "restored"));
    assertEquals(ws.list().stream().map(OnnxWeight::spec).toList(), again.list().stream().map(OnnxWeight::spec).toList());
    for (OnnxWeight w : again.list()) {
      assertEquals(WeightStorage.RAW_DATA, w.storage(), w.key());
      assertArrayEquals(bytes.get(w.key()), again.bytes(w.key()), w.key());
    }
    assertEquals(ws.stripped(), again.stripped(), "everything but the weights' data is untouched");
    return restored;
  }

  @Test
  void restoredMlpRunsIdenticallyInOnnxRuntime() throws Exception {
    TestModels.TestModel tm = TestModels.mlp(11);
    byte[] restored = stripAndRestore(OnnxWeights.of(tm.model()));
    float[] x = random(rng, 8);
    float[] expected = Ort.run(tm.model().toByteArray(), x, new long[] {2, 4});
    assertArrayEquals(expected, Ort.run(restored, x, new long[] {2, 4}));
    float[] ref = addRow(matmul(relu(addRow(matmul(x, 2, tm.floats("W1"), 5), tm.floats("b1"), 1)), 2, tm.floats("W2"), 3), tm.floats("b2"), 1);
    assertTrue(maxAbsDiff(ref, expected) < TOLERANCE, "the Java reference agrees with ONNX Runtime");
  }

  @Test
  void restoredConstantNodeModelRunsIdenticallyInOnnxRuntime() throws Exception {
    TestModels.TestModel tm = TestModels.constants(12);
    byte[] restored = stripAndRestore(OnnxWeights.of(tm.model()));
    float[] x = random(rng, 8);
    assertArrayEquals(Ort.run(tm.model().toByteArray(), x, new long[] {2, 4}), Ort.run(restored, x, new long[] {2, 4}));
  }

  @Test
  void restoredNestedIfModelRunsIdenticallyOnEveryBranch() throws Exception {
    TestModels.TestModel tm = TestModels.nested(13);
    byte[] restored = stripAndRestore(OnnxWeights.of(tm.model()));
    float[] x = random(rng, 4);
    long[] shape = {1, 4};
    for (boolean[] c : new boolean[][] {{true, true}, {true, false}, {false, true}}) {
      float[] expected = Ort.run(tm.model().toByteArray(), x, shape, c[0], c[1]);
      assertArrayEquals(expected, Ort.run(restored, x, shape, c[0], c[1]), c[0] + "," + c[1]);
    }
  }

  @Test
  void restoredExternalDataModelRunsIdenticallyWithItsDataInline(@TempDir Path dir) throws Exception {
    TestModels.TestModel tm = TestModels.external(14, dir);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    byte[] restored = stripAndRestore(OnnxWeights.read(fs, new org.apache.hadoop.fs.Path(tm.file().toUri())));
    assertEquals(0, OnnxModelFile.parse(restored, "restored").getGraph().getInitializer(0).getExternalDataCount());
    float[] x = random(rng, 8);
    assertArrayEquals(Ort.runFile(tm.file().toString(), x, new long[] {2, 4}), Ort.run(restored, x, new long[] {2, 4}));
  }

  @Test
  void restoredTypedFieldModelRunsIdenticallyWithRawData() throws Exception {
    TestModels.TestModel tm = TestModels.typed(15);
    byte[] restored = stripAndRestore(OnnxWeights.of(tm.model()));
    float[] x = random(rng, 8);
    assertArrayEquals(Ort.run(tm.model().toByteArray(), x, new long[] {2, 4}), Ort.run(restored, x, new long[] {2, 4}));
  }

  @Test
  void replacedMlpWeightsChangeTheOutputAsTheJavaReferencePredicts() throws OrtException {
    TestModels.TestModel tm = TestModels.mlp(16);
    float[] w1 = random(rng, 20);
    float[] b1 = random(rng, 5);
    float[] w2 = random(rng, 15);
    float[] b2 = random(rng, 3);
    ModelProto replaced = OnnxModelFile.replaceWeights(tm.model(), Map.of("W1", le(w1), "b1", le(b1), "W2", le(w2), "b2", le(b2)));
    float[] x = random(rng, 8);
    float[] before = Ort.run(tm.model().toByteArray(), x, new long[] {2, 4});
    float[] after = Ort.run(replaced.toByteArray(), x, new long[] {2, 4});
    float[] predicted = addRow(matmul(relu(addRow(matmul(x, 2, w1, 5), b1, 1)), 2, w2, 3), b2, 1);
    assertTrue(maxAbsDiff(predicted, after) < TOLERANCE, "after " + maxAbsDiff(predicted, after));
    assertTrue(maxAbsDiff(before, after) > 100 * TOLERANCE, "the output changed");
  }

  @Test
  void replacedConstantNodeWeightChangesTheOutputAsPredicted() throws OrtException {
    TestModels.TestModel tm = TestModels.constants(17);
    float[] w = random(rng, 12);
    ModelProto replaced = OnnxModelFile.replaceWeights(tm.model(), Map.of("W", le(w)));
    float[] x = random(rng, 8);
    float[] predicted = addRow(matmul(x, 2, w, 3), tm.floats("b"), 1);
    float[] after = Ort.run(replaced.toByteArray(), x, new long[] {2, 4});
    assertTrue(maxAbsDiff(predicted, after) < TOLERANCE);
    assertTrue(maxAbsDiff(Ort.run(tm.model().toByteArray(), x, new long[] {2, 4}), after) > 100 * TOLERANCE);
  }

  @Test
  void replacingAWeightTwoBranchesDeepChangesOnlyThePathThroughIt() throws OrtException {
    TestModels.TestModel tm = TestModels.nested(18);
    String key = "If_outer/then_branch/If_inner/else_branch/b_te";
    float[] bte = random(rng, 3);
    byte[] replaced = OnnxModelFile.replaceWeights(tm.model(), Map.of(key, le(bte))).toByteArray();
    byte[] original = tm.model().toByteArray();
    float[] x = random(rng, 4);
    long[] shape = {1, 4};
    float[] h = matmul(x, 1, tm.floats("If_outer/then_branch/W_t"), 3);
    float[] predicted = mulRow(mulRow(addRow(h, bte, -1), tm.floats("If_outer/then_branch/If_inner/else_branch/k_te")), tm.floats("scale"));
    float[] after = Ort.run(replaced, x, shape, true, false);
    assertTrue(maxAbsDiff(predicted, after) < TOLERANCE, "after " + maxAbsDiff(predicted, after));
    assertTrue(maxAbsDiff(Ort.run(original, x, shape, true, false), after) > 100 * TOLERANCE);
    assertArrayEquals(Ort.run(original, x, shape, true, true), Ort.run(replaced, x, shape, true, true));
    assertArrayEquals(Ort.run(original, x, shape, false, false), Ort.run(replaced, x, shape, false, false));
  }

  @Test
  void replacingAnExternalWeightWritesItInlineAndKeepsTheOthersExternal(@TempDir Path dir) throws Exception {
    TestModels.TestModel tm = TestModels.external(19, dir);
    float[] w = random(rng, 12);
    ModelProto replaced = OnnxModelFile.replaceWeights(tm.model(), Map.of("W", le(w)));
    Path out = dir.resolve("replaced.onnx");
    Files.write(out, replaced.toByteArray());
    FileSystem fs = FileSystem.getLocal(new Configuration());
    OnnxWeights ws = OnnxWeights.read(fs, new org.apache.hadoop.fs.Path(out.toUri()));
    assertEquals(WeightStorage.RAW_DATA, ws.get("W").storage());
    assertEquals(WeightStorage.EXTERNAL, ws.get("b").storage());
    float[] x = random(rng, 8);
    float[] predicted = mulRow(addRow(matmul(x, 2, w, 3), tm.floats("b"), 1), tm.floats("s"));
    assertTrue(maxAbsDiff(predicted, Ort.runFile(out.toString(), x, new long[] {2, 4})) < TOLERANCE);
  }

  @Test
  void restoreRejectsMissingWrongSizedAndUnknownWeights() throws IOException {
    TestModels.TestModel tm = TestModels.nested(20);
    byte[] stripped = OnnxWeights.of(tm.model()).strippedBytes();
    Map<String, byte[]> all = new LinkedHashMap<>(tm.bytes());
    assertEquals(OnnxWeights.of(tm.model()).stripped(), OnnxWeights.of(OnnxModelFile.parse(OnnxWeightWriter.restoreBytes(stripped, all), "restored")).stripped());

    Map<String, byte[]> missing = new LinkedHashMap<>(all);
    missing.remove("If_outer/else_branch/W_e");
    assertMessage(() -> OnnxWeightWriter.restore(stripped, missing), "'If_outer/else_branch/W_e' is missing");

    Map<String, byte[]> wrong = new LinkedHashMap<>(all);
    wrong.put("scale", new byte[8]);
    assertMessage(() -> OnnxWeightWriter.restore(stripped, wrong), "'scale': got 8 bytes, expected 12");

    Map<String, byte[]> extra = new LinkedHashMap<>(all);
    extra.put("nope", new byte[4]);
    assertMessage(() -> OnnxWeightWriter.restore(stripped, extra), "no weight 'nope'");
    assertMessage(() -> OnnxModelFile.replaceWeights(tm.model(), Map.of("nope", new byte[4])), "no weight 'nope'");

    assertMessage(() -> OnnxWeightWriter.restore(new byte[] {1, 2, 3}, all), "not an ONNX model: stripped graph");
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
    InvalidInputException e = assertThrows(InvalidInputException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertEquals(List.of(e.getMessage()), e.getMessage().lines().toList(), "one line");
  }
}
