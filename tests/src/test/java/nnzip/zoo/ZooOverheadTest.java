package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a threshold: the wall time of 8 small models compressed as one zoo (one JVM,
 * one Spark application) against 8 separate {@code nnzip compress} runs through the launcher (a JVM
 * and a Spark start each), printed with the per-model overhead the zoo saves. About 7 minutes on 2
 * cores, so it runs only with NNZIP_BENCH set (ZooCliTest checks the zoo's artifacts against lone
 * compresses in the suite).
 */
@org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(named = "NNZIP_BENCH", matches = ".+")
class ZooOverheadTest {
  private static final int MODELS = 8;
  @TempDir Path dir;

  private double launch(Path log, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(System.getProperty("nnzip.launcher")));
    cmd.addAll(List.of(args));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.waitFor(600, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + ": " + read(log));
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return e.toString();
    }
  }

  @Test
  void oneApplicationForTheZooAgainstOneRunPerModel() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < MODELS; i++) {
      ZooModels.safetensors(models.resolve("m" + i + ".safetensors"), 100 + i);
      list.append("  { name = m").append(i).append(", in = models/m").append(i).append(".safetensors }\n");
    }
    double separate = 0;
    for (int i = 0; i < MODELS; i++) {
      separate += launch(dir.resolve("c" + i + ".log"), "compress", "--in", models.resolve("m" + i + ".safetensors")
          .toString(), "--out", dir.resolve("m" + i + ".nnz.safetensors").toString(), "--master", "local[2]");
    }
    double[] zoo = new double[2];
    for (int parallel = 1; parallel <= 2; parallel++) {
      Path manifest = dir.resolve("zoo" + parallel + ".conf");
      Files.writeString(manifest, "out = out" + parallel + "\nparallel-models = " + parallel + "\nmodels = [\n" + list + "]\n");
      zoo[parallel - 1] = launch(dir.resolve("zoo" + parallel + ".log"), "zoo", "--manifest", manifest.toString(),
          "--master", "local[2]");
      for (int i = 0; i < MODELS; i++) {
        // The zoo made the same artifacts as the separate runs.
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(dir.resolve("m" + i + ".nnz.safetensors")),
            Files.readAllBytes(dir.resolve("out" + parallel + "/m" + i + "/m" + i + ".nnz.safetensors")));
      }
    }
    System.out.printf("zoo overhead, %d models of %d KB on local[2]: separate compress runs %.1f s (%.2f s/model);"
        + " one zoo, parallel-models 1: %.1f s (%.2f s/model, %.1fx less); parallel-models 2: %.1f s (%.2f s/model,"
        + " %.1fx less); saved per model: %.2f s%n", MODELS, Files.size(models.resolve("m0.safetensors")) / 1024,
        separate, separate / MODELS, zoo[0], zoo[0] / MODELS, separate / zoo[0], zoo[1], zoo[1] / MODELS,
        separate / zoo[1], (separate - zoo[0]) / MODELS);
  }
}
