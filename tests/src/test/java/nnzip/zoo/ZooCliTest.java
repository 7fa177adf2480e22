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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import nnzip.artifact.Artifact;
import nnzip.io.HadoopFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnzip zoo} end to end through the launcher, one JVM per run as cron would start it: a zoo
 * of ONNX and safetensors models with a corrupt file and a missing path; the first run compresses
 * what it can and records the rest as failed (exit 4); a driver SIGKILLed mid-run leaves only whole
 * artifacts and its rerun finishes with artifacts byte-identical to a clean run's; the next run skips
 * everything; a changed source recompresses alone.
 */
class ZooCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> GOOD = List.of("mlp1", "mlp2", "mlp3", "st1", "st2", "st3");
  @TempDir Path dir;

  record Run(int code, String out, String log, double seconds) {
    Map<String, JsonNode> byName() throws Exception {
      Map<String, JsonNode> m = new HashMap<>();
      JSON.readTree(out).get("models").forEach(n -> m.put(n.get("name").asText(), n));
      return m;
    }
  }

  private Path manifest(String name, String out, int parallel) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, """
        out = %s
        parallel-models = %d
        defaults { recipe = dp-4bit }
        models = [
          { name = mlp1, in = models/mlp1.onnx }
          { name = mlp2, in = models/mlp2.onnx, recipe = uniform-8bit }
          { name = mlp3, in = models/mlp3.onnx, set { bits = 3 } }
          { name = st1, in = models/st1.safetensors }
          { name = st2, in = models/st2.safetensors, recipe = uniform-4bit }
          { name = st3, in = models/st3.safetensors, set { dp.scope = tensor } }
          { name = corrupt, in = models/corrupt.safetensors }
          { name = missing, in = models/missing.onnx }
        ]
        """.formatted(out, parallel));
    return f;
  }

  private List<String> command(Path manifest, String... more) {
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("nnzip.launcher"), "zoo", "--manifest",
        manifest.toString(), "--master", "local[2]"));
    cmd.addAll(List.of(more));
    return cmd;
  }

  private Run run(Path manifest, String tag, String... more) throws Exception {
    Path stdout = dir.resolve(tag + ".out");
    Path log = dir.resolve(tag + ".log");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command(manifest, more)).redirectOutput(stdout.toFile()).redirectError(log.toFile())
        .start();
    assertTrue(p.waitFor(480, TimeUnit.SECONDS), tag + " finished in time");
    return new Run(p.exitValue(), Files.readString(stdout), Files.readString(log), (System.nanoTime() - t0) / 1e9);
  }

  private static List<Path> artifacts(Path out) throws Exception {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".nnz.safetensors")).sorted().toList();
    }
  }

  private static long okLines(Path history) throws Exception {
    return Files.exists(history) ? Files.readAllLines(history).stream().filter(l -> l.contains("\"status\":\"ok\"")).count()
        : 0;
  }

  @Test
  void aZooRunsIsolatedResumesAfterSigkillAndSkipsWhatIsUnchanged() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    for (int i = 1; i <= 3; i++) {
      ZooModels.onnx(models.resolve("mlp" + i + ".onnx"), i);
      ZooModels.safetensors(models.resolve("st" + i + ".safetensors"), 10 + i);
    }
    ZooModels.corrupt(models.resolve("corrupt.safetensors"));
    Path zooA = manifest("a.conf", "clean", 2);
    Path clean = dir.resolve("clean");

    Run first = run(zooA, "first", "--json");
    assertEquals(4, first.code(), first.log());
    Map<String, JsonNode> r1 = first.byName();
    for (String m : GOOD) {
      assertEquals("ok", r1.get(m).get("status").asText(), m + ": " + r1.get(m));
      assertTrue(r1.get(m).get("ratio").asDouble() > 1.5, m + " compressed: " + r1.get(m));
      Artifact.open(HadoopFiles.fileSystem(clean.toString()), HadoopFiles.qualify(clean.resolve(m + "/" + m
          + ".nnz.safetensors").toString())).verify();
    }
    assertEquals("failed", r1.get("corrupt").get("status").asText());
    assertEquals("failed", r1.get("missing").get("status").asText());
    assertTrue(r1.get("missing").get("reason").asText().contains("no such file"), r1.get("missing").toString());
    assertEquals(1, r1.get("corrupt").get("reason").asText().lines().count());

    // The same zoo into another folder, one model at a time, its driver SIGKILLed after the first artifact.
    Path zooB = manifest("b.conf", "killed", 1);
    Path killed = dir.resolve("killed");
    Process p = new ProcessBuilder(command(zooB)).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log")
        .toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (okLines(killed.resolve(History.FILE)) < 1 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(p.isAlive(), "the run was still going when killed: " + Files.readString(dir.resolve("killed.log")));
    p.destroyForcibly();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    List<Path> survivors = artifacts(killed);
    assertTrue(survivors.size() >= 1 && survivors.size() < GOOD.size(), "killed mid-run: " + survivors);
    for (Path a : survivors) {
      assertArrayEquals(Files.readAllBytes(clean.resolve(killed.relativize(a))), Files.readAllBytes(a),
          "an artifact visible after the kill is whole: " + a);
    }
    Run resumed = run(zooB, "resumed", "--json");
    assertEquals(4, resumed.code(), resumed.log());
    for (String m : GOOD) {
      String status = resumed.byName().get(m).get("status").asText();
      assertTrue(status.equals("ok") || status.equals("skipped"), m + ": " + status);
      assertArrayEquals(Files.readAllBytes(clean.resolve(m + "/" + m + ".nnz.safetensors")),
          Files.readAllBytes(killed.resolve(m + "/" + m + ".nnz.safetensors")), m + ": byte-identical to the clean run");
    }
    assertTrue(resumed.byName().values().stream().anyMatch(n -> n.get("status").asText().equals("skipped")),
        "what the killed run finished is not done again");
    try (Stream<Path> s = Files.walk(killed)) {
      assertFalse(s.anyMatch(x -> x.getFileName().toString().contains(".tmp-")), "the rerun removed the stale temps");
    }

    // Nothing changed: every good model skipped, in a fraction of the first run's time.
    Run second = run(zooA, "second", "--json");
    assertEquals(4, second.code(), second.log());
    for (String m : GOOD) {
      assertEquals("skipped", second.byName().get(m).get("status").asText(), m);
    }
    System.out.printf("zoo of 8 models through the launcher: first run %.1f s, all-skipped run %.1f s (%.0f%%)%n",
        first.seconds(), second.seconds(), 100 * second.seconds() / first.seconds());
    assertTrue(second.seconds() < 0.5 * first.seconds(), first.seconds() + " s then " + second.seconds() + " s");

    // One source changed: only it recompresses.
    ZooModels.safetensors(models.resolve("st2.safetensors"), 99);
    Run dry = run(zooA, "dry", "--dry-run");
    assertEquals(0, dry.code(), dry.log());
    assertTrue(dry.out().lines().anyMatch(l -> l.matches("st2\\s+run\\s+source changed")), dry.out());
    assertTrue(dry.out().lines().anyMatch(l -> l.matches("mlp1\\s+skip\\s+unchanged")), dry.out());
    Run third = run(zooA, "third", "--json");
    Map<String, JsonNode> r3 = third.byName();
    for (String m : GOOD) {
      assertEquals(m.equals("st2") ? "ok" : "skipped", r3.get(m).get("status").asText(), m);
    }
    assertEquals("source changed", r3.get("st2").get("reason").asText());

    Process st = new ProcessBuilder(System.getProperty("nnzip.launcher"), "zoo", "status", "--manifest", zooA.toString(),
        "--json").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    JsonNode status = JSON.readTree(st.getInputStream());
    assertTrue(st.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, st.exitValue());
    Map<String, String> last = new HashMap<>();
    status.get("models").forEach(n -> last.put(n.get("name").asText(), n.get("status").asText()));
    assertEquals("ok", last.get("st2"));
    assertEquals("skipped", last.get("mlp1"));
    assertEquals("failed", last.get("missing"));
    assertTrue(Files.readString(clean.resolve("index.html")).contains("data-model=\"st2\""));
  }
}
