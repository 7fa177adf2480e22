package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onnx.Onnx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prune end to end through the CLI on a small trained MLP: the written model is physically smaller
 * by exactly what the report says (counted independently from its initializers), ONNX Runtime runs
 * it and predicts what nnzip predicts, the budget holds, and bad input ends in one line with no
 * output.
 */
class PruneCliTest {
  @TempDir static Path shared;
  static Path model;
  @TempDir Path dir;

  /** One small trained model for every test (train is the slow part). */
  @BeforeAll
  static void train() {
    model = shared.resolve("m.onnx");
    CliRun train = CliRun.of("train", "--arch", "mlp-300-100", "--epochs", "1", "--examples", "3000", "--out",
        model.toString(), "--master", "local[2]", "--json");
    assertEquals(0, train.code(), train.err());
  }

  @Test
  void pruneWritesASmallerModelThatOnnxRuntimeRuns() throws Exception {
    for (String method : new String[] {"dirichlet", "l1"}) {
      Path out = dir.resolve(method + ".onnx");
      CliRun p = CliRun.of("prune", "--in", model.toString(), "--out", out.toString(), "--data", "fashion-mnist",
          "--method", method, "--keep", "0.3", "--set", "finetune.examples=2000", "--set", "structured.gate-epochs=1",
          "--set", "structured.retrain-epochs=1", "--master", "local[2]", "--json");
      assertEquals(0, p.code(), p.err());
      JsonNode r = new ObjectMapper().readTree(p.out());
      assertEquals(1, r.get("schemaVersion").asInt());
      long before = r.get("parametersBefore").asLong();
      long after = r.get("parametersAfter").asLong();
      assertTrue(after <= 0.3 * before, method + ": " + after + " of " + before + " kept, budget 30%");
      assertTrue(after >= 0.2 * before, method + ": the budget is used, not overshot: " + after + " of " + before);
      // The report's counts against the file itself.
      byte[] pruned = Files.readAllBytes(out);
      assertEquals(after, floatElements(Onnx.ModelProto.parseFrom(pruned)), "parameters in the written model");
      assertEquals(before, floatElements(Onnx.ModelProto.parseFrom(Files.readAllBytes(model))));
      // The reported accuracy is the written model's, as ONNX Runtime computes it.
      FinetuneCliTest.assertOnnxRuntimeAgrees(pruned);
      nnzip.data.Dataset test = nnzip.data.FashionMnist.test();
      int[] ort = FinetuneCliTest.ortPredictions(pruned, test);
      int correct = 0;
      for (int i = 0; i < test.n(); i++) {
        correct += ort[i] == test.labels()[i] ? 1 : 0;
      }
      assertEquals((double) correct / test.n(), r.get("testAccuracy").asDouble(), 0.001, p.out());
      try (var files = Files.list(dir)) {
        assertFalse(files.anyMatch(f -> f.getFileName().toString().contains(".ckpt")),
            "checkpoints are removed after success");
      }
    }
  }

  @Test
  void gateOptimizerAndGateScoreReachTheRanking() throws Exception {
    // retrain-epochs 0: the written model is the original less the channels the gates ranked lowest, so
    // its bytes are the ranking. The same optimizer twice gives the same file (the runs are
    // deterministic), so a different file under the other optimizer is that optimizer's ranking.
    java.util.Map<String, byte[]> written = new java.util.LinkedHashMap<>();
    for (String run : new String[] {"sgd", "adam", "sgd-again", "sgd-unfolded", "sgd-gated-l1"}) {
      String optimizer = run.replace("-again", "").replace("-unfolded", "").replace("-gated-l1", "");
      Path out = dir.resolve(run + ".onnx");
      CliRun p = CliRun.of("prune", "--in", model.toString(), "--out", out.toString(), "--data", "fashion-mnist",
          "--method", "dirichlet", "--keep", "0.3", "--set", "finetune.examples=2000", "--set",
          "structured.gate-epochs=1", "--set", "structured.retrain-epochs=0", "--set",
          "structured.gate-optimizer=" + optimizer, "--set", "structured.fold-gates=" + !run.endsWith("unfolded"),
          "--set", "structured.gate-score=" + (run.endsWith("gated-l1") ? "gated-l1" : "gate"),
          "--master", "local[2]", "--json");
      assertEquals(0, p.code(), p.err());
      assertTrue(p.err().contains("with " + optimizer + " lr "), p.err());
      written.put(run, Files.readAllBytes(out));
    }
    assertTrue(java.util.Arrays.equals(written.get("sgd"), written.get("sgd-again")), "deterministic");
    assertFalse(java.util.Arrays.equals(written.get("sgd"), written.get("adam")),
        "SGD and Adam gates keep the same channels");
    // Unfolded: the same ranking, so the same shapes, but the original weights (the folded scales are
    // checked against the gated network in StructuredPruningTest).
    Onnx.ModelProto folded = Onnx.ModelProto.parseFrom(written.get("sgd"));
    Onnx.ModelProto unfolded = Onnx.ModelProto.parseFrom(written.get("sgd-unfolded"));
    assertEquals(shapes(folded), shapes(unfolded));
    assertFalse(java.util.Arrays.equals(written.get("sgd"), written.get("sgd-unfolded")), "the gates are folded");
    // The same gates, folded the same way: only the kept channels can differ, and the filter norms that
    // gated-l1 multiplies in change which ones.
    assertFalse(java.util.Arrays.equals(written.get("sgd"), written.get("sgd-gated-l1")),
        "gate-score reaches the ranking");
  }

  @Test
  void batchNormStatisticsAreEstimatedAnewOnThePrunedModel() throws Exception {
    // An untrained vgg-small (BatchNorm after every conv): pruned by L1 without retraining, once with
    // the stored statistics and once recalibrated over 600 training examples. The second must carry
    // what BatchNormRecalibration computes on the first over the same examples of the same split.
    Path in = dir.resolve("vgg.onnx");
    Files.write(in, nnzip.model.Architecture.VGG_SMALL.build(new int[] {1, 28, 28}, 10, 5).toByteArray());
    java.util.Map<String, Onnx.ModelProto> written = new java.util.LinkedHashMap<>();
    for (int examples : new int[] {0, 600}) {
      Path out = dir.resolve("vgg-" + examples + ".onnx");
      CliRun p = CliRun.of("prune", "--in", in.toString(), "--out", out.toString(), "--data", "fashion-mnist",
          "--method", "l1", "--keep", "0.5", "--set", "finetune.examples=2000", "--set", "structured.retrain-epochs=0",
          "--set", "structured.recalibrate=" + examples, "--master", "local[2]", "--json");
      assertEquals(0, p.code(), p.err());
      assertEquals(examples > 0, p.err().contains("running statistics of 4 BatchNormalization nodes"), p.err());
      written.put("r" + examples, Onnx.ModelProto.parseFrom(Files.readAllBytes(out)));
    }
    Onnx.ModelProto plain = written.get("r0");
    java.util.Set<String> stats = nnzip.graph.BatchNormWeights.runningStatistics(plain);
    assertEquals(8, stats.size());
    java.util.Map<String, float[]> expected = nnzip.train.BatchNormRecalibration.estimate(new nnzip.train.GraphSetup(
        plain.toByteArray(), nnzip.train.WeightPlan.allTrainable(stats), nnzip.graph.GraphMode.TRAINING).build(),
        nnzip.data.DataRef.standard("fashion-mnist", 0.1, 2000).split().train(), 600);
    for (Onnx.TensorProto t : written.get("r600").getGraph().getInitializerList()) {
      float[] got = floats(t);
      if (stats.contains(t.getName())) {
        float[] e = expected.get(t.getName());
        for (int i = 0; i < e.length; i++) {
          assertEquals(e[i], got[i], 1e-4 * (1 + Math.abs(e[i])), t.getName() + "[" + i + "]");
        }
      } else {
        Onnx.TensorProto before = plain.getGraph().getInitializerList().stream()
            .filter(u -> u.getName().equals(t.getName())).findFirst().orElseThrow();
        assertEquals(before, t, "only the running statistics change: " + t.getName());
      }
    }
  }

  private static float[] floats(Onnx.TensorProto t) {
    java.nio.FloatBuffer b = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] v = new float[b.remaining()];
    b.get(v);
    return v;
  }

  private static java.util.Map<String, List<Long>> shapes(Onnx.ModelProto m) {
    java.util.Map<String, List<Long>> out = new java.util.TreeMap<>();
    m.getGraph().getInitializerList().forEach(t -> out.put(t.getName(), t.getDimsList()));
    return out;
  }

  @Test
  void benchPruneRunsEachMethodOncePerSeed() throws Exception {
    Path json = dir.resolve("bench-prune.json");
    CliRun b = CliRun.of("bench", "prune", "--model", model.toString(), "--keep", "0.3", "--methods", "l1,random",
        "--seeds", "3,4", "--set", "finetune.examples=2000", "--set", "structured.retrain-epochs=1", "--dir",
        dir.resolve("work").toString(), "--json-out", json.toString());
    assertEquals(Main.OK, b.code(), b.err());
    JsonNode r = new ObjectMapper().readTree(Files.readString(json));
    for (String method : new String[] {"l1", "random"}) {
      JsonNode runs = r.get(method).get("runs");
      assertEquals(List.of("3", "4"), iterable(runs.fieldNames()), method);
      for (String key : new String[] {"validationRemoved", "validationAfter", "testAfter"}) {
        double a = runs.get("3").get(key).asDouble();
        double c = runs.get("4").get(key).asDouble();
        assertEquals((a + c) / 2, r.get(method).get(key + "Mean").asDouble(), 1e-12, method + " " + key);
        assertEquals(Math.abs(a - c) / Math.sqrt(2), r.get(method).get(key + "Std").asDouble(), 1e-12, method + " " + key);
      }
      for (JsonNode run : runs) {
        long sum = 0;
        for (JsonNode layer : run.get("layers")) {
          sum += layer.get("parametersAfter").asLong();
        }
        assertEquals(run.get("parametersAfter").asLong(), sum, method + ": the layers add up");
      }
    }
    // L1 ranks by the weights alone: both seeds remove the same channels; random's choice follows the seed.
    JsonNode l1 = r.get("l1").get("runs");
    assertEquals(l1.get("3").get("layers"), l1.get("4").get("layers"));
    assertEquals(l1.get("3").get("validationRemoved").asDouble(), l1.get("4").get("validationRemoved").asDouble());
    JsonNode random = r.get("random").get("runs");
    assertFalse(random.get("3").get("layers").equals(random.get("4").get("layers"))
        && random.get("3").get("validationRemoved").asDouble() == random.get("4").get("validationRemoved").asDouble(),
        "random scores follow the seed");
    CliRun twice = CliRun.of("bench", "prune", "--model", model.toString(), "--seeds", "3,3", "--dir",
        dir.resolve("work2").toString());
    assertEquals(2, twice.code());
    assertTrue(twice.err().contains("--seeds"), twice.err());
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void compressWithAStructuredStageReportsTheRatioAndProvenanceOfTheUsersModel() throws Exception {
    Path art = dir.resolve("m.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", art.toString(), "--recipe", "dp-4bit",
        "--set", "structured.keep=0.5", "--set", "structured.method=l1", "--set", "structured.retrain-epochs=0",
        "--data", "fashion-mnist", "--set", "finetune.examples=2000", "--master", "local[2]", "--json");
    assertEquals(0, c.code(), c.err());
    JsonNode r = new ObjectMapper().readTree(c.out());
    assertTrue(r.get("structured").get("parametersAfter").asLong() <= 0.5 * r.get("structured").get("parametersBefore")
        .asLong(), c.out());
    // The ratio and the provenance name the user's file, not the pruned intermediate.
    assertEquals((double) Files.size(model) / Files.size(art), r.get("ratio").asDouble(), 1e-9);
    JsonNode prov = r.get("provenance");
    assertEquals(Files.size(model), prov.get("sourceBytes").asLong());
    assertEquals(nnzip.Digests.hex(nnzip.Digests.sha256().digest(Files.readAllBytes(model))),
        prov.get("sourceSha256").asText());
    assertTrue(prov.get("sourceUri").asText().endsWith("/m.onnx"), prov.toString());
    try (var files = Files.list(dir)) {
      assertEquals(List.of("m.nnz.safetensors"), files.map(f -> f.getFileName().toString()).sorted().toList(),
          "no intermediate is left behind");
    }
  }

  @Test
  void badInputEndsInOneLineAndWritesNothing() throws Exception {
    Path out = dir.resolve("p.onnx");
    CliRun keep = CliRun.of("prune", "--in", "x.onnx", "--out", out.toString(), "--data", "fashion-mnist", "--keep",
        "1.5");
    assertEquals(2, keep.code(), keep.err());
    assertTrue(keep.err().contains("--keep"), keep.err());
    CliRun method = CliRun.of("prune", "--in", "x.onnx", "--out", out.toString(), "--data", "fashion-mnist",
        "--method", "magnitude");
    assertEquals(2, method.code(), method.err());
    assertTrue(method.err().contains("dirichlet, l1, random"), method.err());
    CliRun missing = CliRun.of("prune", "--in", dir.resolve("none.onnx").toString(), "--out", out.toString(),
        "--data", "fashion-mnist", "--master", "local[1]");
    assertEquals(3, missing.code(), missing.err());
    assertTrue(missing.err().contains("no such file"), missing.err());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing written");
    }
  }

  @Test
  void aGraphWithNothingPrunableEndsInOneLineNamingTheRefusal() throws Exception {
    // x → Gemm → Hardmax (an op the group finder does not know) → Gemm → y: the first layer's
    // channels pass an unknown op, the second's reach the graph output; neither may shrink.
    Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("g")
        .addInput(floatInput("x", 1, 8))
        .addOutput(floatInput("y", 1, 3))
        .addInitializer(weight("w1", 6, 8)).addInitializer(weight("w2", 3, 6))
        .addNode(gemm("x", "w1", "h"))
        .addNode(Onnx.NodeProto.newBuilder().setOpType("Hardmax").addInput("h").addOutput("a"))
        .addNode(gemm("a", "w2", "y"));
    Path in = dir.resolve("stuck.onnx");
    Files.write(in, Onnx.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray());
    Path out = dir.resolve("p.onnx");
    CliRun r = CliRun.of("prune", "--in", in.toString(), "--out", out.toString(), "--data", "fashion-mnist",
        "--method", "l1", "--master", "local[1]");
    assertEquals(3, r.code(), r.err());
    String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.contains("nothing to prune") && last.contains("Hardmax"), r.err());
    assertFalse(Files.exists(out), "no output");
  }

  private static Onnx.ValueInfoProto floatInput(String name, long... dims) {
    Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
        Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
        .build();
  }

  private static Onnx.TensorProto weight(String name, int rows, int cols) {
    Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).addDims(rows).addDims(cols)
        .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
    for (int i = 0; i < rows * cols; i++) {
      t.addFloatData((float) Math.sin(i + 1.0));
    }
    return t.build();
  }

  private static Onnx.NodeProto gemm(String x, String w, String y) {
    return Onnx.NodeProto.newBuilder().setOpType("Gemm").addInput(x).addInput(w).addOutput(y)
        .addAttribute(Onnx.AttributeProto.newBuilder().setName("transB").setI(1)
            .setType(Onnx.AttributeProto.AttributeType.INT)).build();
  }

  /** Elements of the model's float initializers and Constant tensors. */
  private static long floatElements(Onnx.ModelProto m) {
    long n = 0;
    for (Onnx.TensorProto t : m.getGraph().getInitializerList()) {
      if (t.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE) {
        long e = 1;
        for (long d : t.getDimsList()) {
          e *= d;
        }
        n += e;
      }
    }
    return n;
  }
}
