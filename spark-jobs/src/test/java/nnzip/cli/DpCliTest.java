package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import nnzip.io.StoredTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dp codec through the CLI on embedded Spark: optimality against uniform, scopes, determinism. */
class DpCliTest {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void writeModel() throws IOException {
    model = Models.write(dir, "model.safetensors", 21, 0.03f);
  }

  static JsonNode compress(String name, String... set) throws IOException {
    return compress(model, dir.resolve(name), set);
  }

  /** Runs compress with --set overrides and returns its JSON summary. */
  static JsonNode compress(Path model, Path out, String... set) throws IOException {
    String[] args = {"compress", "--in", model.toString(), "--out", out.toString(), "--json",
        "--overwrite", "--master", "local[2]"};
    String[] all = Arrays.copyOf(args, args.length + 2 * set.length);
    for (int i = 0; i < set.length; i++) {
      all[args.length + 2 * i] = "--set";
      all[args.length + 2 * i + 1] = set[i];
    }
    CliRun c = CliRun.of(all);
    assertEquals(0, c.code(), c.err());
    return new ObjectMapper().readTree(c.out());
  }

  static double relMse(JsonNode root, String tensor) {
    for (JsonNode t : root.get("tensors")) {
      if (t.get("name").asText().equals(tensor)) {
        return t.get("relativeMse").asDouble();
      }
    }
    throw new AssertionError("no tensor " + tensor);
  }

  @Test
  void optimalLevelsNeverLoseToTheUniformGridAtTheSameBitsAndScope() throws IOException {
    for (String scope : new String[] {"tensor", "channel"}) {
      JsonNode dp = compress("dp-" + scope + ".nnz.safetensors", "codec=dp", "bits=3", "scope=" + scope);
      JsonNode uniform = compress("u-" + scope + ".nnz.safetensors", "codec=uniform", "bits=3", "scope=" + scope);
      for (String t : new String[] {"conv1.weight", "fc.weight", "head.weight", "emb.weight"}) {
        // The uniform grid is one of the partitions dp minimizes over, so dp can only be better.
        assertTrue(relMse(dp, t) <= relMse(uniform, t) * (1 + 1e-9),
            scope + " " + t + ": dp " + relMse(dp, t) + " vs uniform " + relMse(uniform, t));
      }
    }
  }

  @Test
  void globalScopeStoresOneCodebookThatEveryTensorDecodesWith() throws IOException {
    JsonNode g = compress("global.nnz.safetensors", "codec=dp", "bits=4", "dp.scope=global");
    assertEquals(1, g.get("shared").size(), "one shared levels entry");
    JsonNode levels = g.get("shared").get(0);
    int bytesPerLevel = levels.get("role").asText().startsWith("param16:") ? 2 : 4;
    assertEquals(16 * bytesPerLevel, levels.get("chunks").get(0).get("bytes").asLong(), "16 levels, F16 or F32");
    Path back = dir.resolve("global.safetensors");
    assertEquals(0, CliRun.of("decompress", "--in", dir.resolve("global.nnz.safetensors").toString(),
        "--out", back.toString()).code());
    // Every coded weight decodes to one of the 16 shared levels (read back as the tensor's dtype).
    java.util.Set<Float> values = new java.util.TreeSet<>();
    Map<String, StoredTensor> restored = CompressCliTest.tensors(back);
    for (String t : new String[] {"conv1.weight", "emb.weight"}) {
      for (float v : CompressCliTest.floats(restored.get(t))) {
        values.add(v);
      }
    }
    assertTrue(values.size() <= 16, "at most 16 distinct values across F32/F64 tensors: " + values.size());
  }

  @Test
  void dpArtifactsAreByteIdenticalWhateverThePartitionCount() throws IOException {
    for (String scope : new String[] {"channel", "global"}) {
      byte[] first = null;
      for (int partitions : new int[] {1, 2, 8}) {
        String name = "det-" + scope + "-" + partitions + ".nnz.safetensors";
        compress(name, "codec=dp", "bits=5", "dp.scope=" + scope, "shard-bytes=2k", "partitions=" + partitions);
        byte[] bytes = Files.readAllBytes(dir.resolve(name));
        if (first == null) {
          first = bytes;
        } else {
          assertArrayEquals(first, bytes, scope + ", " + partitions + " partitions");
        }
      }
    }
  }
}
