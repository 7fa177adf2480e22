package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.cli.Main;
import nnzip.data.Dataset;
import nnzip.data.DataRef;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.subspace.Dialer;
import nnzip.subspace.Line;
import nnzip.train.GraphSetup;
import nnzip.train.WeightPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --subspace structured} then {@code dial} end to end on a few Fashion-MNIST examples:
 * the dialed models run in ONNX Runtime with nnzip's own forward's logits, dialing is repeatable to
 * the byte, and bad input (alpha outside [0, 1], an artifact without a line, a truncated artifact)
 * ends with one error line, a non-zero exit and no output.
 */
class SubspaceCliTest {
  @TempDir static Path dir;
  static Path artifact;

  record Run(int code, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void trainALine() {
    artifact = dir.resolve("s.nnz.safetensors");
    Run r = run("train", "--arch", "lenet5", "--subspace", "structured", "--data", "fashion-mnist", "--out",
        artifact.toString(), "--set", "subspace.epochs=1", "--set", "finetune.examples=256", "--master", "local[1]");
    assertEquals(Main.OK, r.code(), r.err());
  }

  @Test
  void dialedPointsRunInOnnxRuntimeLikeTheJvmForward() throws Exception {
    Dataset test = DataRef.standard("fashion-mnist", 0.1, 0).load().test();
    int n = 8;
    float[] x = Arrays.copyOf(test.features(), n * test.dim());
    long previous = Long.MAX_VALUE;
    for (String alpha : new String[] {"1", "0.4", "0"}) {
      Path out = dir.resolve("at-" + alpha + ".onnx");
      Run r = run("dial", "--in", artifact.toString(), "--alpha", alpha, "--out", out.toString());
      assertEquals(Main.OK, r.code(), r.err());
      byte[] model = Files.readAllBytes(out);
      assertTrue(model.length < previous, "narrower points are smaller files");
      previous = model.length;
      float[] jvm = new GraphSetup(model, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build().logits(x, n);
      float[] ort = ort(model, x, new long[] {n, 1, 28, 28});
      assertEquals(jvm.length, ort.length);
      for (int i = 0; i < ort.length; i++) {
        assertEquals(ort[i], jvm[i], 1e-4 * Math.max(1, Math.abs(ort[i])), "alpha " + alpha + " logit " + i);
      }
    }
  }

  @Test
  void dialingTwiceWritesTheSameBytesAndTheTableTravels() throws Exception {
    Path a = dir.resolve("a.onnx");
    Path b = dir.resolve("b.onnx");
    assertEquals(Main.OK, run("dial", "--in", artifact.toString(), "--alpha", "0.55", "--out", a.toString()).code());
    assertEquals(Main.OK, run("dial", "--in", artifact.toString(), "--alpha", "0.55", "--out", b.toString()).code());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    Path st = dir.resolve("a.safetensors");
    assertEquals(Main.OK, run("dial", "--in", artifact.toString(), "--alpha", "0.55", "--out", st.toString(),
        "--format", "safetensors").code());
    onnx.Onnx.ModelProto m = onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(a));
    var tensors = nnzip.io.safetensors.SafetensorsReader.tensors(HadoopFiles.fileSystem(st.toString()),
        HadoopFiles.qualify(st.toString()));
    assertEquals(m.getGraph().getInitializerCount(), tensors.size());
    for (var t : tensors) {
      var init = m.getGraph().getInitializerList().stream().filter(i -> i.getName().equals(t.spec().name()))
          .findFirst().orElseThrow();
      assertArrayEquals(init.getRawData().toByteArray(),
          nnzip.io.safetensors.SafetensorsReader.readTensor(HadoopFiles.fileSystem(st.toString()), t).array(),
          t.spec().name());
    }
    Line line = Dialer.open(Artifact.open(HadoopFiles.fileSystem(artifact.toString()),
        HadoopFiles.qualify(artifact.toString())));
    assertEquals(5, line.table().size());
    assertEquals(1.0, line.table().get(4).alpha());
  }

  @Test
  void theTableIsTheValidationAccuracyOfTheDialedModelsAsStored() throws Exception {
    // The validation split training held out of its 256 examples, as train --subspace drew it.
    Dataset validation = DataRef.standard("fashion-mnist", 0.1, 256).split().validation();
    Line line = Dialer.open(Artifact.open(HadoopFiles.fileSystem(artifact.toString()),
        HadoopFiles.qualify(artifact.toString())));
    for (var p : line.table()) {
      Path out = dir.resolve("table-" + p.alpha() + ".onnx");
      assertEquals(Main.OK, run("dial", "--in", artifact.toString(), "--alpha", Double.toString(p.alpha()), "--out",
          out.toString()).code());
      double accuracy = nnzip.train.Evaluation.accuracy(new GraphSetup(Files.readAllBytes(out),
          WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build(), validation);
      assertEquals(accuracy, p.validationAccuracy(), 0.0, "alpha " + p.alpha());
    }
  }

  @Test
  void theLineCostsAtMostThirtyPercentMoreThanOneModelWithTheSameRecipe() throws Exception {
    var manifest = Artifact.open(HadoopFiles.fileSystem(artifact.toString()), HadoopFiles.qualify(artifact.toString()))
        .manifest();
    long atDifferenceBits = manifest.tensors().stream()
        .filter(t -> t.spec().name().startsWith(nnzip.subspace.LineDescriptor.DIFFERENCE_PREFIX) && t.bits() == 2)
        .count();
    assertTrue(atDifferenceBits >= 3, "conv2, fc1 and fc2's differences are coded at 2 bits: " + atDifferenceBits);
    Path accurate = dir.resolve("accurate.onnx");
    assertEquals(Main.OK, run("dial", "--in", artifact.toString(), "--alpha", "1", "--out", accurate.toString())
        .code());
    Path one = dir.resolve("one.nnz.safetensors");
    Run c = run("compress", "--in", accurate.toString(), "--out", one.toString(), "--master", "local[1]");
    assertEquals(Main.OK, c.code(), c.err());
    double ratio = (double) Files.size(artifact) / Files.size(one);
    assertTrue(ratio <= 1.3, "line " + Files.size(artifact) + " B against one model " + Files.size(one) + " B");
  }

  @Test
  void badInputEndsWithOneLineAndNoOutput() throws Exception {
    Path out = dir.resolve("bad").resolve("m.onnx");
    Files.createDirectories(out.getParent());
    Run outside = run("dial", "--in", artifact.toString(), "--alpha", "1.5", "--out", out.toString());
    assertEquals(Main.USAGE, outside.code(), outside.err());
    assertTrue(outside.err().contains("--alpha must be in [0, 1]"), outside.err());

    // A plain artifact: one model compressed as usual.
    Path plainModel = dir.resolve("plain.onnx");
    assertEquals(Main.OK, run("dial", "--in", artifact.toString(), "--alpha", "1", "--out", plainModel.toString())
        .code());
    Path plain = dir.resolve("plain.nnz.safetensors");
    Run c = run("compress", "--in", plainModel.toString(), "--out", plain.toString(), "--master", "local[1]");
    assertEquals(Main.OK, c.code(), c.err());
    Run noLine = run("dial", "--in", plain.toString(), "--alpha", "0.5", "--out", out.toString());
    assertEquals(Main.INVALID_INPUT, noLine.code(), noLine.err());
    assertTrue(noLine.err().contains("not a compressible subspace"), noLine.err());

    Path truncated = dir.resolve("truncated.nnz.safetensors");
    byte[] all = Files.readAllBytes(artifact);
    Files.write(truncated, Arrays.copyOf(all, all.length / 2));
    Run cut = run("dial", "--in", truncated.toString(), "--alpha", "0.5", "--out", out.toString());
    assertEquals(Main.INVALID_INPUT, cut.code(), cut.err());
    Path notTrained = dir.resolve("bad").resolve("s.nnz.safetensors");
    Run scope = run("train", "--arch", "lenet5", "--subspace", "unstructured", "--data", "fashion-mnist", "--out",
        notTrained.toString(), "--set", "subspace.magnitude-scope=network", "--master", "local[1]");
    assertEquals(Main.USAGE, scope.code(), scope.err());
    assertTrue(scope.err().contains("subspace.magnitude-scope: unknown magnitude scope 'network'; valid: layer, global"),
        scope.err());
    Run teacher = run("train", "--arch", "lenet5", "--subspace", "bits", "--data", "fashion-mnist", "--out",
        notTrained.toString(), "--set", "finetune.distill.alpha=0.5", "--master", "local[1]");
    assertEquals(Main.USAGE, teacher.code(), teacher.err());
    assertTrue(teacher.err().contains("needs a trained model to learn from: use --init"), teacher.err());
    for (Run r : new Run[] {outside, noLine, cut, scope, teacher}) {
      assertEquals(1, r.err().strip().lines().filter(l -> l.contains("error")).count(), r.err());
    }
    try (var left = Files.list(out.getParent())) {
      assertFalse(left.findAny().isPresent(), "a refused dial left output");
    }
  }

  /** The first output of ONNX Runtime (one thread) on one FLOAT input; NormLineCliTest uses it too. */
  static float[] ort(byte[] model, float[] x, long[] shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(model, o);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
      }
    }
  }
}
