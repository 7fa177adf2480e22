package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnzip.io.StoredTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aq codec through the CLI on embedded Spark: restore, reported error, bits, determinism. */
class AqCliTest {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void writeModel() throws IOException {
    model = Models.write(dir, "model.safetensors", 33, 0.02f);
  }

  @Test
  void restoredWeightsHaveExactlyTheReportedErrorAndTheRecipesBitsPerWeight() throws IOException {
    JsonNode r = compress("aq.nnz.safetensors", "codec=aq", "aq.iterations=3");
    Path back = dir.resolve("aq.safetensors");
    assertEquals(0, CliRun.of("decompress", "--in", dir.resolve("aq.nnz.safetensors").toString(), "--out",
        back.toString()).code());
    Map<String, StoredTensor> original = CompressCliTest.tensors(model);
    Map<String, StoredTensor> restored = CompressCliTest.tensors(back);
    for (JsonNode t : r.get("tensors")) {
      String name = t.get("name").asText();
      if (!t.get("codec").asText().equals("aq")) {
        continue;
      }
      float[] x = CompressCliTest.floats(original.get(name));
      float[] y = CompressCliTest.floats(restored.get(name));
      double rel = relativeMse(x, y);
      // The artifact keeps the diagnostic to two significant digits: within 5% of the exact error.
      assertEquals(rel, t.get("relativeMse").asDouble(), rel * 0.05, name);
      assertTrue(rel < 0.5, name + " is reconstructed, not noise: " + rel);
      long codeBytes = t.get("entries").get(0).get("chunks").findValues("bytes").stream().mapToLong(JsonNode::asLong).sum();
      long subvectors = (x.length + 7) / 8;
      assertEquals((subvectors * 2 * 8 + 7) / 8, codeBytes, name + ": two 8-bit codes per 8 weights");
    }
    assertEquals(1, r.get("shared").size() > 0 ? 1 : 0, "global scope stores the codebooks once");
  }

  @Test
  void aqArtifactsAreByteIdenticalWhateverThePartitionCount() throws IOException {
    for (String scope : new String[] {"global", "tensor"}) {
      byte[] first = null;
      for (int partitions : new int[] {1, 2, 8}) {
        String name = "aq-" + scope + "-" + partitions + ".nnz.safetensors";
        compress(name, "codec=aq", "aq.iterations=2", "aq.codebook-bits=6", "aq.scope=" + scope, "shard-bytes=2k",
            "partitions=" + partitions);
        byte[] bytes = Files.readAllBytes(dir.resolve(name));
        if (first == null) {
          first = bytes;
        } else {
          assertArrayEquals(first, bytes, scope + ", " + partitions + " partitions");
        }
      }
    }
  }

  @Test
  void halfPrecisionCodebooksTakeHalfTheBytesAndStillDecodeToTheReportedError() throws IOException {
    JsonNode f32 = compress("aq32.nnz.safetensors", "codec=aq", "aq.iterations=2", "aq.scope=tensor",
        "aq.codebook-dtype=f32");
    JsonNode f16 = compress("aq16.nnz.safetensors", "codec=aq", "aq.iterations=2", "aq.scope=tensor",
        "aq.codebook-dtype=f16");
    JsonNode e32 = f32.get("tensors").get(0).get("entries");
    JsonNode e16 = f16.get("tensors").get(0).get("entries");
    long words32 = 0;
    long words16 = 0;
    for (int i = 0; i < e32.size(); i++) {
      if (e32.get(i).get("key").asText().endsWith(".codewords")) {
        words32 = e32.get(i).get("chunks").get(0).get("bytes").asLong();
        words16 = e16.get(i).get("chunks").get(0).get("bytes").asLong();
        assertEquals("param16:codewords", e16.get(i).get("role").asText());
      }
    }
    assertEquals(2 * 256 * 8 * 4, words32);
    assertEquals(words32 / 2, words16);
    Path back = dir.resolve("aq16.safetensors");
    assertEquals(0, CliRun.of("decompress", "--in", dir.resolve("aq16.nnz.safetensors").toString(), "--out",
        back.toString()).code());
    float[] x = CompressCliTest.floats(CompressCliTest.tensors(model).get("conv1.weight"));
    float[] y = CompressCliTest.floats(CompressCliTest.tensors(back).get("conv1.weight"));
    double rel = relativeMse(x, y);
    // To two significant digits, as the artifact keeps the diagnostic (within 5%).
    assertEquals(rel, f16.get("tensors").get(0).get("relativeMse").asDouble(), 0.05 * rel,
        "codes were chosen for, and the error measured with, the F16 codebooks the artifact stores");
  }

  /** Independent recomputation of MSE / variance of the original x against the restored y. */
  static double relativeMse(float[] x, float[] y) {
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double var = 0;
    double sse = 0;
    for (int i = 0; i < x.length; i++) {
      var += (x[i] - mean) * (x[i] - mean);
      sse += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
    }
    return sse / var;
  }

  static JsonNode compress(String name, String... set) throws IOException {
    return DpCliTest.compress(model, dir.resolve(name), set);
  }
}
