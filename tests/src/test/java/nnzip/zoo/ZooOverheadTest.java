package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnzip bench zoo} through the launcher: a zoo in one Spark application against a launcher
 * run per model. In the suite on 1 model (a smoke test of the figures' consistency; the bench itself
 * fails when the zoo's artifacts differ from the separate runs'); with NNZIP_BENCH set, the
 * measurement of 8 models (about 7 minutes on 2 cores), printed.
 */
class ZooOverheadTest {
  @TempDir Path dir;

  @Test
  void benchZooComparesOneApplicationWithARunPerModel() throws Exception {
    boolean full = System.getenv("NNZIP_BENCH") != null && !System.getenv("NNZIP_BENCH").isEmpty();
    int models = full ? 8 : 1;
    Path json = dir.resolve("bench-zoo.json");
    Path log = dir.resolve("bench.log");
    Process p = new ProcessBuilder(System.getProperty("nnzip.launcher"), "bench", "zoo", "--models",
        Integer.toString(models), "--master", "local[2]", "--dir", dir.resolve("work").toString(), "--json-out",
        json.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(full ? 1800 : 600, TimeUnit.SECONDS), "bench zoo finished in time");
    assertEquals(0, p.exitValue(), () -> read(log));
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    assertEquals(models, r.get("models").asInt());
    assertTrue(r.get("artifactsIdentical").asBoolean());
    double separate = r.get("separateSeconds").asDouble();
    for (String key : new String[] {"zooParallel1", "zooParallel2"}) {
      JsonNode z = r.get(key);
      double zoo = z.get("seconds").asDouble();
      assertTrue(zoo > 0 && separate > 0, r.toString());
      assertEquals(separate / zoo, z.get("ratio").asDouble(), 1e-9);
      assertEquals((separate - zoo) / models, z.get("savedSecondsPerModel").asDouble(), 1e-9);
      // Each zoo run's artifact folder holds one artifact per model, the ones the bench compared.
      for (int i = 0; i < models; i++) {
        assertTrue(Files.isRegularFile(dir.resolve("work/zoo" + key.charAt(key.length() - 1) + "/m" + i + "/m" + i
            + ".nnz.safetensors")), key + " m" + i);
      }
    }
    System.out.println("bench zoo, " + models + " models: " + r);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
