package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import nnzip.data.Dataset;
import nnzip.data.FashionMnist;
import nnzip.graph.GraphMode;
import nnzip.model.Architecture;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.TrainingGraph;
import nnzip.train.WeightPlan;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compress with finetuning, end to end through the CLI: train a small model, compress it with dp
 * 2-bit and finetune the levels (and with aq and uniform codecs, their codebooks and ranges), then check that the finetuned artifact decodes to a runnable ONNX
 * model whose predictions ONNX Runtime reproduces (≥ 99.9% of the test set), that eval of the
 * artifact reports the accuracy compress reported, and that finetuning needs --data.
 */
class FinetuneCliTest {
  @TempDir Path dir;

  @Test
  void compressWithFinetuneWritesARunnableFinetunedModel() throws Exception {
    Path model = trainSmallMlp("m.onnx");
    Path art = dir.resolve("m.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", art.toString(), "--recipe", "dp-2bit",
        "--data", "fashion-mnist", "--set", "finetune.epochs=1", "--set", "finetune.examples=3000",
        "--set", "finetune.steps-per-round=5", "--master", "local[2]", "--json");
    assertEquals(0, c.code(), c.err());
    JsonNode r = new ObjectMapper().readTree(c.out());
    double after = r.get("finetune").get("testAccuracyAfter").asDouble();
    assertTrue(after > 0.5, "finetuned accuracy " + after);
    assertFalse(Files.exists(Path.of(art + ".ckpt")), "the checkpoint is removed after success");
    assertTrue(r.get("ratio").asDouble() > 10, "ratio " + r.get("ratio"));

    assertOnnxRuntimeAgrees(evalReportsAndDecompress(art, after, "restored.onnx"));

    // aq with per-tensor F16 codebooks: the finetuned codebooks are stored rounded, and the
    // artifact decodes to exactly the model whose accuracy compress reported.
    Path aq = dir.resolve("aq.nnz.safetensors");
    CliRun a = CliRun.of("compress", "--in", model.toString(), "--out", aq.toString(), "--recipe", "aq-2bit",
        "--set", "aq.scope=tensor", "--set", "aq.codebook-dtype=f16", "--set", "aq.iterations=2",
        "--data", "fashion-mnist", "--set", "finetune.epochs=1", "--set", "finetune.examples=2000",
        "--master", "local[2]", "--json");
    assertEquals(0, a.code(), a.err());
    double aqAfter = new ObjectMapper().readTree(a.out()).get("finetune").get("testAccuracyAfter").asDouble();
    CliRun aqEval = CliRun.of("eval", "--model", aq.toString(), "--json");
    assertEquals(0, aqEval.code(), aqEval.err());
    assertEquals(aqAfter, new ObjectMapper().readTree(aqEval.out()).get("accuracy").asDouble(), 1e-12);

    // uniform 4-bit per channel: each weight tensor's per-channel min and step train, and the
    // artifact decodes to exactly the model whose accuracy compress reported.
    Path uni = dir.resolve("u.nnz.safetensors");
    CliRun u = CliRun.of("compress", "--in", model.toString(), "--out", uni.toString(), "--recipe", "uniform-4bit",
        "--data", "fashion-mnist", "--set", "finetune.epochs=1", "--set", "finetune.examples=2000",
        "--master", "local[2]", "--json");
    assertEquals(0, u.code(), u.err());
    // fc1 and fc2 weights; what the passthrough rules keep and code per tensor at uniform 8 bits
    // (passthrough.uniform-bits: fc3's 1,000 weights and the three biases) trains as floats and is
    // coded again when the artifact is written, so eval below also checks those four.
    assertTrue(u.err().contains("(2 coded tensors)"), u.err());
    double uniAfter = new ObjectMapper().readTree(u.out()).get("finetune").get("testAccuracyAfter").asDouble();
    CliRun uniEval = CliRun.of("eval", "--model", uni.toString(), "--json");
    assertEquals(0, uniEval.code(), uniEval.err());
    assertEquals(uniAfter, new ObjectMapper().readTree(uniEval.out()).get("accuracy").asDouble(), 1e-12);
  }

  /**
   * The pruning recipe through the CLI: magnitude pruning while training (its last epoch
   * quantization-aware), dp levels, level finetuning, arithmetic-coded codes. The stored model has the pruned share of its first layer on one level, its
   * code stream is a fraction of the bit-packed size, eval of the artifact gives the accuracy compress
   * reported, and ONNX Runtime agrees with nnzip's predictions on the decompressed model.
   */
  @Test
  void pruneThenEntropyCodeWritesAnArtifactThatDecodesToWhatItReports() throws Exception {
    Path model = trainSmallMlp("p.onnx");
    Path art = dir.resolve("p.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", art.toString(), "--recipe", "prune-dp-3bit",
        "--data", "fashion-mnist", "--set", "finetune.prune.sparsity=0.9", "--set", "finetune.prune.epochs=2",
        "--set", "finetune.qat.epochs=1", "--set", "finetune.epochs=1", "--set", "finetune.examples=3000",
        "--set", "finetune.steps-per-round=5",
        "--master", "local[2]", "--json");
    assertEquals(0, c.code(), c.err());
    assertTrue(c.err().contains("prune: epochs 2-2 train through the 8 dp levels"), c.err());
    JsonNode r = new ObjectMapper().readTree(c.out());
    assertEquals(3, r.get("format").asInt());
    assertEquals("nnzip.header.graph", r.get("graph").asText());
    JsonNode fc1 = r.get("tensors").get(0);
    assertEquals("fc1.weight", fc1.get("name").asText());
    JsonNode codes = fc1.get("entries").get(0);
    assertEquals("codes-cabac", codes.get("role").asText());
    long codedBytes = 0;
    for (JsonNode chunk : codes.get("chunks")) {
      codedBytes += chunk.get("bytes").asLong();
    }
    long packedBytes = 300 * 784 * 3 / 8;
    assertTrue(codedBytes * 3 < packedBytes, codedBytes + " coded bytes vs " + packedBytes + " packed");
    // The recipe codes the biases too: 300 values on 32 dp levels (passthrough.dp-bits: the levels cost
    // 0.21 bit/weight more than uniform's two parameters, within 0.25); 100 and 10 values at uniform 8
    // bits (passthrough.uniform-bits), where 32 levels would cost 6.6 and 66 bits/weight more.
    Map<String, String> codecs = new java.util.HashMap<>();
    for (JsonNode t : r.get("tensors")) {
      codecs.put(t.get("name").asText(), t.get("codec").asText() + "/" + t.get("bits").asInt());
    }
    assertEquals("dp/5", codecs.get("fc1.bias"));
    assertEquals("uniform/8", codecs.get("fc2.bias"));
    assertEquals("uniform/8", codecs.get("fc3.bias"));
    double after = r.get("finetune").get("testAccuracyAfter").asDouble();

    byte[] onnx = evalReportsAndDecompress(art, after, "p-restored.onnx");
    Onnx.TensorProto w = Onnx.ModelProto.parseFrom(onnx).getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals("fc1.weight")).findFirst().orElseThrow();
    java.nio.FloatBuffer fb = w.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
    Map<Float, Integer> counts = new java.util.HashMap<>();
    while (fb.hasRemaining()) {
      counts.merge(fb.get(), 1, Integer::sum);
    }
    int onOneLevel = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    assertTrue(onOneLevel >= 0.9 * 300 * 784, "the largest level holds " + onOneLevel + " weights");
    assertOnnxRuntimeAgrees(onnx);
  }

  /**
   * Quantization-aware training with no finetuning epochs after it (finetune.epochs = 0): the
   * quantized model is written as it is, and eval of the artifact gives the accuracy reported.
   */
  @Test
  void quantizationAwareTrainingWithoutFinetuningEpochsWritesTheQuantizedModel() throws Exception {
    Path model = trainSmallMlp("q.onnx");
    Path art = dir.resolve("q.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", art.toString(), "--recipe", "dp-2bit",
        "--data", "fashion-mnist", "--set", "finetune.qat.epochs=1", "--set", "finetune.epochs=0",
        "--set", "finetune.examples=2000", "--master", "local[2]", "--json");
    assertEquals(0, c.code(), c.err());
    assertTrue(c.err().contains("qat: epochs 1-1 train through the 4 dp levels of each channel"), c.err());
    JsonNode f = new ObjectMapper().readTree(c.out()).get("finetune");
    assertEquals(f.get("testAccuracyBefore").asDouble(), f.get("testAccuracyAfter").asDouble(), 1e-12,
        "no finetuning epochs: the stored model is the quantized one");
    evalReportsAndDecompress(art, f.get("testAccuracyAfter").asDouble(), "q-restored.onnx");
  }

  @Test
  void finetuningWithoutDataIsAUsageError() {
    Path model = dir.resolve("x.onnx");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", dir.resolve("x.nnz.safetensors").toString(),
        "--set", "finetune.epochs=2");
    assertEquals(Main.USAGE, c.code());
    assertTrue(c.errorLine().contains("--data"), c.errorLine());
  }

  /** eval of the artifact gives the accuracy compress reported; returns the decompressed ONNX model. */
  private byte[] evalReportsAndDecompress(Path art, double reported, String name) throws Exception {
    CliRun eval = CliRun.of("eval", "--model", art.toString(), "--json");
    assertEquals(0, eval.code(), eval.err());
    assertEquals(reported, new ObjectMapper().readTree(eval.out()).get("accuracy").asDouble(), 1e-12);
    Path restored = dir.resolve(name);
    CliRun d = CliRun.of("decompress", "--in", art.toString(), "--out", restored.toString(), "--format", "onnx");
    assertEquals(0, d.code(), d.err());
    return Files.readAllBytes(restored);
  }

  /** An mlp-300-100 trained for one epoch on 3000 examples through the CLI. */
  private Path trainSmallMlp(String name) {
    Path model = dir.resolve(name);
    CliRun train = CliRun.of("train", "--arch", "mlp-300-100", "--epochs", "1", "--examples", "3000", "--out",
        model.toString(), "--master", "local[2]", "--json");
    assertEquals(0, train.code(), train.err());
    return model;
  }

  /** ONNX Runtime and nnzip predict the same class on ≥ 99.9% of the Fashion-MNIST test set. */
  static void assertOnnxRuntimeAgrees(byte[] onnx) throws Exception {
    Dataset test = FashionMnist.test();
    TrainingGraph g = new GraphSetup(onnx, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build();
    int[] ours = Evaluation.predictions(g, test);
    int[] ort = ortPredictions(onnx, test);
    int agree = 0;
    for (int i = 0; i < ours.length; i++) {
      agree += ours[i] == ort[i] ? 1 : 0;
    }
    assertTrue(agree >= 0.999 * test.n(), "agreement with ONNX Runtime: " + agree + " of " + test.n());
  }

  static int[] ortPredictions(byte[] model, Dataset d) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int[] out = new int[d.n()];
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(model, o)) {
        for (int from = 0; from < d.n(); from += 1000) {
          int rows = Math.min(1000, d.n() - from);
          float[] x = java.util.Arrays.copyOfRange(d.features(), from * d.dim(), (from + rows) * d.dim());
          try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, 1, 28, 28});
              OrtSession.Result r = s.run(Map.of("input", in))) {
            float[][] logits = (float[][]) r.get(0).getValue();
            for (int i = 0; i < rows; i++) {
              int best = 0;
              for (int j = 1; j < logits[i].length; j++) {
                best = logits[i][j] > logits[i][best] ? j : best;
              }
              out[from + i] = best;
            }
          }
        }
      }
    }
    return out;
  }
}
