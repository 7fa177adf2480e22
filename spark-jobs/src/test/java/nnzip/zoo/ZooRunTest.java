package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nnzip.Digests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small zoo run in-process on {@code local[2]}: artifacts equal to lone compresses of the same
 * models, failures isolated and recorded, the second run skipped, one changed source recompressed.
 */
class ZooRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  record Run(int code, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }

    Map<String, JsonNode> byName() throws Exception {
      Map<String, JsonNode> m = new HashMap<>();
      json().get("models").forEach(n -> m.put(n.get("name").asText(), n));
      return m;
    }
  }

  static Run cli(String... args) {
    nnzip.cli.CliRun r = nnzip.cli.CliRun.of(args);
    return new Run(r.code(), r.out(), r.err());
  }

  private Path manifest(String cRecipe) throws Exception {
    Path f = dir.resolve("zoo.conf");
    Files.writeString(f, """
        out = out
        parallel-models = 3
        retries = 1
        defaults { set { seed = 5 } }
        models = [
          { name = a, in = models/a.safetensors }
          { name = b, in = models/b.safetensors, recipe = dp-4bit }
          { name = c, in = models/c.safetensors, set { bits = %s } }
          { name = corrupt, in = models/corrupt.safetensors }
          { name = missing, in = models/missing.safetensors }
          { name = evil, in = models/a.safetensors }
        ]
        """.formatted(cRecipe));
    return f;
  }

  @Test
  void aZooRunsIsolatedIncrementalAndByteIdenticalToLoneCompresses() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    ZooFixtures.model(models.resolve("a.safetensors"), 1);
    ZooFixtures.model(models.resolve("b.safetensors"), 2);
    ZooFixtures.model(models.resolve("c.safetensors"), 3);
    ZooFixtures.corrupt(models.resolve("corrupt.safetensors"));
    Path out = Files.createDirectories(dir.resolve("out"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(out.resolve("evil"), outside);
    Path zoo = manifest("4");

    long t0 = System.nanoTime();
    Run first = cli("zoo", "--manifest", zoo.toString(), "--master", "local[2]", "--json");
    double firstSeconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(4, first.code(), first.err());
    Map<String, JsonNode> r1 = first.byName();
    for (String ok : List.of("a", "b", "c")) {
      assertEquals("ok", r1.get(ok).get("status").asText(), ok + ": " + r1.get(ok));
      assertEquals("new", r1.get(ok).get("reason").asText());
    }
    for (String bad : List.of("corrupt", "missing", "evil")) {
      assertEquals("failed", r1.get(bad).get("status").asText(), bad);
    }
    assertTrue(r1.get("missing").get("reason").asText().contains("no such file"), r1.get("missing").toString());
    assertTrue(r1.get("corrupt").get("reason").asText().contains("corrupt.safetensors"), r1.get("corrupt").toString());
    assertTrue(r1.get("evil").get("reason").asText().contains("symbolic link"), r1.get("evil").toString());
    try (Stream<Path> s = Files.list(outside)) {
      assertEquals(0, s.count(), "nothing written through the link");
    }
    assertTrue(first.err().contains("[nnzip] zoo a: start (new)"), first.err());
    assertTrue(first.err().contains("[nnzip] zoo corrupt: failed: "), first.err());

    // The same model and recipe compressed alone: the same bytes.
    Map<String, List<String>> alone = Map.of("a", List.of("--set", "seed=5"),
        "b", List.of("--recipe", "dp-4bit", "--set", "seed=5"), "c", List.of("--set", "bits=4", "--set", "seed=5"));
    for (var e : alone.entrySet()) {
      Path lone = dir.resolve(e.getKey() + "-alone.nnz.safetensors");
      List<String> args = new java.util.ArrayList<>(List.of("compress", "--in", models.resolve(e.getKey() + ".safetensors")
          .toString(), "--out", lone.toString(), "--master", "local[2]"));
      args.addAll(e.getValue());
      Run c = cli(args.toArray(new String[0]));
      assertEquals(0, c.code(), c.err());
      assertArrayEquals(Files.readAllBytes(lone), Files.readAllBytes(out.resolve(e.getKey() + "/" + e.getKey()
          + ".nnz.safetensors")), e.getKey() + ": the zoo's artifact is a lone compress's");
    }

    // Nothing changed: skipped, no Spark, much faster.
    long t1 = System.nanoTime();
    Run second = cli("zoo", "--manifest", zoo.toString(), "--master", "local[2]", "--json");
    double secondSeconds = (System.nanoTime() - t1) / 1e9;
    assertEquals(4, second.code(), second.err());
    for (String ok : List.of("a", "b", "c")) {
      assertEquals("skipped", second.byName().get(ok).get("status").asText());
      assertEquals(r1.get(ok).get("ratio").asDouble(), second.byName().get(ok).get("ratio").asDouble());
    }
    System.out.printf("zoo run 1: %.2f s, run 2 (all skipped): %.2f s%n", firstSeconds, secondSeconds);
    assertTrue(secondSeconds < firstSeconds / 2, firstSeconds + " s then " + secondSeconds + " s");

    // b's source changes, c's recipe changes, a's artifact is deleted: the dry run says so and writes nothing.
    byte[] cBefore = Files.readAllBytes(out.resolve("c/c.nnz.safetensors"));
    ZooFixtures.model(models.resolve("b.safetensors"), 22);
    Files.delete(out.resolve("a/a.nnz.safetensors"));
    manifest("3");
    long historyBefore = Files.size(out.resolve(History.FILE));
    Run dry = cli("zoo", "--manifest", zoo.toString(), "--dry-run", "--json");
    assertEquals(0, dry.code(), dry.err());
    Map<String, String> why = new HashMap<>();
    dry.json().forEach(n -> why.put(n.get("name").asText(), n.get("why").asText()));
    assertEquals("artifact missing", why.get("a"));
    assertEquals("source changed", why.get("b"));
    assertEquals("recipe changed", why.get("c"));
    assertTrue(why.get("missing").startsWith("would fail: "), why.get("missing"));
    assertEquals(historyBefore, Files.size(out.resolve(History.FILE)), "a dry run writes nothing");

    manifest("4");
    Run third = cli("zoo", "--manifest", zoo.toString(), "--master", "local[2]", "--json");
    Map<String, JsonNode> r3 = third.byName();
    assertEquals("ok", r3.get("a").get("status").asText());
    assertEquals("artifact missing", r3.get("a").get("reason").asText());
    assertEquals("ok", r3.get("b").get("status").asText());
    assertEquals("source changed", r3.get("b").get("reason").asText());
    assertEquals("skipped", r3.get("c").get("status").asText(), "c's recipe is back to its last good run's");
    assertArrayEquals(cBefore, Files.readAllBytes(out.resolve("c/c.nnz.safetensors")));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a-alone.nnz.safetensors")),
        Files.readAllBytes(out.resolve("a/a.nnz.safetensors")), "a recompressed to the same bytes");

    // zoo status: the last outcome of each model; the history has 3 runs × 6 lines; no temp left.
    Run status = cli("zoo", "status", "--manifest", zoo.toString(), "--json");
    assertEquals(0, status.code(), status.err());
    assertEquals("skipped", status.byName().get("c").get("status").asText());
    assertEquals("failed", status.byName().get("missing").get("status").asText());
    assertEquals(18, new History(out).read().size());
    assertEquals(3, new History(out).read().stream().map(HistoryRecord::runId).distinct().count());
    try (Stream<Path> all = Files.walk(out)) {
      assertFalse(all.anyMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary output left");
    }
    String html = Files.readString(out.resolve("index.html"));
    for (String m : List.of("a", "b", "c", "corrupt", "missing", "evil")) {
      assertTrue(html.contains("data-model=\"" + m + "\""), m);
    }
  }

  /** A zoo run whose source digests are counted per location. */
  private static final class Counted {
    final Map<String, Integer> digests = new java.util.concurrent.ConcurrentHashMap<>();
    final ZooRun run;

    Counted(Path manifest) {
      run = new ZooRun(ZooManifest.read(manifest), "local[2]", msg -> { }, Throwable::toString, t -> false, in -> {
        digests.merge(in, 1, Integer::sum);
        return SourceDigest.of(in);
      });
    }
  }

  @Test
  void theCheckThenTheRunDigestEachSourceOnceAndDecideAsAFreshCheckWould() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Path a = ZooFixtures.model(models.resolve("a.safetensors"), 1);
    Path b = ZooFixtures.model(models.resolve("b.safetensors"), 2);
    ZooFixtures.corrupt(models.resolve("corrupt.safetensors"));
    Path zoo = dir.resolve("zoo.conf");
    Files.writeString(zoo, """
        out = out
        parallel-models = 2
        models = [
          { name = a, in = models/a.safetensors }
          { name = b, in = models/b.safetensors }
          { name = corrupt, in = models/corrupt.safetensors }
        ]
        """);
    String aIn = models.resolve("a.safetensors").toString();
    String bIn = models.resolve("b.safetensors").toString();

    // First night: the check says both run; the run compresses them, digesting neither again.
    Counted first = new Counted(zoo);
    List<ZooRun.Decision> checked = first.run.dryRun();
    assertEquals(List.of("new", "new"), checked.subList(0, 2).stream().map(ZooRun.Decision::why).toList());
    Map<String, HistoryRecord> r1 = new HashMap<>();
    first.run.run(checked).forEach(r -> r1.put(r.name(), r));
    assertEquals(Status.OK, r1.get("a").status());
    assertEquals(Status.OK, r1.get("b").status());
    assertEquals(Status.FAILED, r1.get("corrupt").status());
    assertEquals(1, first.digests.get(aIn), "a digested once, by the check; not again by the run or the compress");
    assertEquals(1, first.digests.get(bIn));
    // The artifact's provenance holds the check's digest, which is the SHA-256 of the file's bytes.
    String aSha = Digests.hex(Digests.sha256(Files.readAllBytes(a)));
    assertEquals(aSha, r1.get("a").fingerprint().sourceSha256());
    assertEquals(aSha, nnzip.artifact.Artifact.open(nnzip.io.HadoopFiles.fileSystem(dir.toString()),
        nnzip.io.HadoopFiles.qualify(dir.resolve("out/a/a.nnz.safetensors").toString())).provenance().sourceSha256());

    // Second night, b's source changed: the reused digests decide as a fresh check does.
    ZooFixtures.model(b, 22);
    Counted second = new Counted(zoo);
    List<ZooRun.Decision> again = second.run.dryRun();
    List<ZooRun.Decision> fresh = new Counted(zoo).run.dryRun();
    assertEquals(fresh, again);
    assertEquals(List.of("unchanged", "source changed"), again.subList(0, 2).stream().map(ZooRun.Decision::why).toList());
    Map<String, HistoryRecord> r2 = new HashMap<>();
    second.run.run(again).forEach(r -> r2.put(r.name(), r));
    assertEquals(Status.SKIPPED, r2.get("a").status());
    assertEquals(Status.OK, r2.get("b").status());
    assertEquals("source changed", r2.get("b").reason());
    assertEquals(1, second.digests.get(aIn));
    assertEquals(1, second.digests.get(bIn));

    // A run without a check digests each source once too.
    Counted third = new Counted(zoo);
    third.run.run().forEach(r -> assertEquals(r.name().equals("corrupt") ? Status.FAILED : Status.SKIPPED, r.status(),
        r.name()));
    assertEquals(1, third.digests.get(aIn));
    assertEquals(1, third.digests.get(bIn));
  }

  @Test
  void aBadManifestIsOneLineWithItsExitCode() throws Exception {
    Path f = dir.resolve("bad.conf");
    Files.writeString(f, "out = o\nmodels = [ { name = a, in = x, recipe = dp-4bti } ]");
    Run r = cli("zoo", "--manifest", f.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().strip().startsWith("nnzip zoo: error: zoo model 'a': unknown recipe 'dp-4bti'; did you mean 'dp-4bit'?"),
        r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    Files.writeString(f, "out = o\nmodels = [ { name = \"../up\", in = x } ]");
    Run up = cli("zoo", "--manifest", f.toString());
    assertEquals(3, up.code(), up.err());
    assertFalse(Files.exists(dir.resolve("o")), "nothing created for a refused manifest");
  }
}
