package nnzip.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nnzip.Progress;
import nnzip.io.HadoopFiles;
import nnzip.tensor.DType;

/**
 * What one Spark application for a whole zoo saves: the wall time of {@code models} small models
 * compressed by separate {@code nnzip compress} runs (a JVM and a Spark start each) against the same
 * models as one {@code nnzip zoo} run, with {@code parallel-models} 1 and 2. Every run is a child
 * process of the launcher, as cron would start it, and the zoo's artifacts must equal the separate
 * runs' byte for byte (else the bench fails).
 */
public final class ZooBenchmark {
  /** Tensors per generated model and elements per tensor: about 0.6 MB of F32 a model. */
  static final int TENSORS = 3;
  static final long ELEMENTS = 50_000;
  private static final long RUN_LIMIT_S = 900;

  private ZooBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param launcher {@code deploy/bin/nnzip}
   * @param models how many models, at least 1
   * @param master the Spark master of every run (e.g. {@code local[2]})
   * @param dir scratch folder for the models, artifacts and logs
   * @return the figures: per model and total seconds of both ways, the ratio and the per-model overhead saved
   * @throws IOException if a run fails (its log's tail in the message) or the artifacts differ
   */
  public static Map<String, Object> run(Path launcher, int models, String master, Path dir, Progress progress)
      throws IOException, InterruptedException {
    if (models < 1) {
      throw new IllegalArgumentException("models must be at least 1, got " + models);
    }
    Path in = Files.createDirectories(dir.resolve("models"));
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < models; i++) {
      Path m = in.resolve("m" + i + ".safetensors");
      BenchModels.write(HadoopFiles.fileSystem(m.toString()), HadoopFiles.qualify(m.toString()),
          DType.F32, TENSORS, ELEMENTS, 100 + i);
      list.append("  { name = m").append(i).append(", in = \"").append(m).append("\" }\n");
    }
    Path separate = Files.createDirectories(dir.resolve("separate"));
    double separateSeconds = 0;
    for (int i = 0; i < models; i++) {
      progress.report("bench zoo: separate compress " + (i + 1) + " of " + models);
      separateSeconds += launch(launcher, dir.resolve("compress-" + i + ".log"), "compress", "--in",
          in.resolve("m" + i + ".safetensors").toString(), "--out", separate.resolve("m" + i + ".nnz.safetensors")
              .toString(), "--master", master);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("models", models);
    report.put("modelBytes", Files.size(in.resolve("m0.safetensors")));
    report.put("master", master);
    report.put("separateSeconds", separateSeconds);
    report.put("separateSecondsPerModel", separateSeconds / models);
    for (int parallel = 1; parallel <= 2; parallel++) {
      Path out = dir.resolve("zoo" + parallel);
      Path manifest = Files.writeString(dir.resolve("zoo" + parallel + ".conf"), "out = \"" + out
          + "\"\nparallel-models = " + parallel + "\nmodels = [\n" + list + "]\n");
      progress.report("bench zoo: one zoo run, parallel-models " + parallel);
      double zoo = launch(launcher, dir.resolve("zoo" + parallel + ".log"), "zoo", "--manifest", manifest.toString(),
          "--master", master);
      for (int i = 0; i < models; i++) {
        Path a = out.resolve("m" + i).resolve("m" + i + ".nnz.safetensors");
        if (!Arrays.equals(Files.readAllBytes(separate.resolve("m" + i + ".nnz.safetensors")), Files.readAllBytes(a))) {
          throw new IOException("the zoo's artifact " + a + " differs from the separate run's");
        }
      }
      Map<String, Object> z = new LinkedHashMap<>();
      z.put("seconds", zoo);
      z.put("secondsPerModel", zoo / models);
      z.put("savedSecondsPerModel", (separateSeconds - zoo) / models);
      z.put("ratio", separateSeconds / zoo);
      report.put("zooParallel" + parallel, z);
      progress.report(String.format("bench zoo: %d separate runs %.1f s, one zoo (parallel-models %d) %.1f s: %.2fx"
          + " less, %.2f s saved per model", models, separateSeconds, parallel, zoo, separateSeconds / zoo,
          (separateSeconds - zoo) / models));
    }
    report.put("artifactsIdentical", true);
    report.put("goalRatio", 3.0);
    return report;
  }

  /** Runs the launcher with {@code args} to its end; its wall seconds. */
  private static double launch(Path launcher, Path log, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(RUN_LIMIT_S, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish within " + RUN_LIMIT_S + " s; log " + log);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
    return seconds;
  }
}
