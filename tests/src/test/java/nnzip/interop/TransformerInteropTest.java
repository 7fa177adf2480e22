package nnzip.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nnzip.data.Dataset;
import nnzip.data.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transformer exported by PyTorch (deploy/fixtures/make_transformer.py: ViT on Fashion-MNIST,
 * opset 17, LayerNormalization, Erf-GELU, attention MatMul weights stored [in, out]) compressed with
 * {@code dp-4bit}, restored to ONNX and judged by ONNX Runtime on the 10,000 test images against the
 * original file. PyTorch's own accuracy, written by the fixture script, is the independent check
 * that ONNX Runtime runs the original as trained.
 */
class TransformerInteropTest {
  /** The bound for dp-4bit on a transformer of our making, in percentage points. */
  static final double MAX_DROP_PP = 0.5;

  @TempDir static Path dir;
  static Path model;
  static JsonNode fixture;
  static JsonNode report;
  static Path restored;
  static Dataset test;

  @BeforeAll
  static void compressAndRestore() throws Exception {
    Path folder = OcrFixtures.root().resolve("transformer-1");
    model = folder.resolve("vit-fmnist.onnx");
    assertTrue(Files.isRegularFile(model) && Files.exists(folder.resolve(".complete")),
        model + " is missing: run deploy/bin/setup --test-fixtures");
    fixture = new ObjectMapper().readTree(folder.resolve("vit-fmnist.json").toFile());
    Path art = dir.resolve("vit.dp4.nnz.safetensors");
    report = Cli.ok("compress", "--in", model.toString(), "--out", art.toString(), "--recipe", "dp-4bit", "--json",
        "--master", "local[2]").json();
    restored = dir.resolve("vit.dp4.onnx");
    Cli.ok("decompress", "--in", art.toString(), "--out", restored.toString(), "--format", "onnx");
    test = FashionMnist.test();
  }

  /** Accuracy of a model in ONNX Runtime on the test set, in batches of 1,000. */
  static double accuracy(Path onnx) throws Exception {
    int correct = 0;
    int batch = 1000;
    for (int first = 0; first < test.n(); first += batch) {
      int n = Math.min(batch, test.n() - first);
      float[] x = Arrays.copyOfRange(test.features(), first * test.dim(), (first + n) * test.dim());
      OrtRunner.Output y = OrtRunner.run(onnx, x, new long[] {n, 1, 28, 28});
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < 10; c++) {
          if (y.values()[i * 10 + c] > y.values()[i * 10 + best]) {
            best = c;
          }
        }
        correct += best == test.labels()[first + i] ? 1 : 0;
      }
    }
    return (double) correct / test.n();
  }

  @Test
  void dpFourBitKeepsTheTransformersAccuracyInOnnxRuntime() throws Exception {
    double original = accuracy(model);
    double after = accuracy(restored);
    double ratio = RatioCheck.assertRatio(model, Path.of(report.get("output").asText()), report, "vit dp-4bit");
    long payload = 0;
    for (JsonNode t : report.get("tensors")) {
      for (JsonNode e : t.get("entries")) {
        String role = e.get("role").asText();
        payload += role.startsWith("codes") || role.equals("data") ? e.get("bytes").asLong() : 0;
      }
    }
    long artifactBytes = report.get("artifactBytes").asLong();
    System.out.printf("[interop] vit dp-4bit: ratio %.2fx, accuracy %.2f%% -> %.2f%% (PyTorch %.2f%%), side information"
        + " %.1f%% of the artifact%n", ratio, 100 * original, 100 * after, 100 * fixture.get("testAccuracy").asDouble(),
        100.0 * (artifactBytes - payload) / artifactBytes);
    // ONNX Runtime runs the original as PyTorch trained it (same test set, same preprocessing).
    assertEquals(fixture.get("testAccuracy").asDouble(), original, 0.002, "ONNX Runtime vs PyTorch on the original");
    assertTrue(100 * (original - after) <= MAX_DROP_PP, "dp-4bit accuracy drop " + 100 * (original - after) + " pp");
  }
}
