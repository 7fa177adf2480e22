package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nnzip.cli.Main;
import nnzip.cluster.StandaloneCluster;
import nnzip.cluster.StandaloneClusterExtension;
import nnzip.cluster.SubmitResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar, unchanged, under spark-submit on a real standalone cluster (Master + Worker
 * on 127.0.0.1): the same artifact as on embedded local Spark, and the same exit codes.
 */
@ExtendWith(StandaloneClusterExtension.class)
class ClusterCompressTest {
  @TempDir static Path dir;
  static Path model;
  static String appJar;

  @BeforeAll
  static void setUp() throws IOException {
    model = TestModels.write(dir.resolve("model.safetensors"), 11, 0.5f);
    appJar = System.getProperty("nnzip.appJar");
    assertTrue(Files.isRegularFile(Path.of(appJar)), "application jar built by spark-jobs: " + appJar);
  }

  @Test
  void launcherSubmissionToTheClusterWritesTheSameArtifactAsLocal(StandaloneCluster cluster) throws Exception {
    Path local = dir.resolve("local.nnz.safetensors");
    assertEquals(0, Main.run(new String[] {"compress", "--in", model.toString(), "--out", local.toString(),
        "--set", "bits=5", "--set", "shard-bytes=16k", "--master", "local[2]"}, System.out, System.err));

    // deploy/bin/nnzip with --master spark://... hands over to SparkSubmit, as README shows.
    Path remote = dir.resolve("cluster.nnz.safetensors");
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("nnzip.launcher"), "compress", "--in", model.toString(),
        "--out", remote.toString(), "--set", "bits=5", "--set", "shard-bytes=16k", "--set", "partitions=5",
        "--master", cluster.masterUrl());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("launcher.log").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "launcher finished in time");
    String log = Files.readString(dir.resolve("launcher.log"));
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains("on 5 partitions"), log);
    assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(remote));
  }

  @Test
  void dpWithOneGlobalCodebookOnTheClusterEqualsLocal(StandaloneCluster cluster) throws Exception {
    String log = assertClusterEqualsLocal(cluster, "dp", "codec=dp", "bits=4", "dp.scope=global", "shard-bytes=8k");
    assertTrue(log.contains("one codebook for all tensors"), log);
  }

  @Test
  void aqSharedCodebooksOnTheClusterEqualLocal(StandaloneCluster cluster) throws Exception {
    String log = assertClusterEqualsLocal(cluster, "aq", "codec=aq", "aq.iterations=3", "shard-bytes=8k");
    assertTrue(log.contains("aq round 3"), log);
  }

  /** Compresses on local[2] and by spark-submit on the cluster (3 partitions); returns the cluster's stderr. */
  private static String assertClusterEqualsLocal(StandaloneCluster cluster, String name, String... set)
      throws Exception {
    Path local = dir.resolve(name + "-local.nnz.safetensors");
    Path remote = dir.resolve(name + "-cluster.nnz.safetensors");
    List<String> args = new java.util.ArrayList<>(List.of("compress", "--in", model.toString(), "--out", local.toString(),
        "--master", "local[2]"));
    List<String> submitted = new java.util.ArrayList<>(List.of("compress", "--in", model.toString(), "--out",
        remote.toString(), "--set", "partitions=3"));
    for (String kv : set) {
      args.addAll(List.of("--set", kv));
      submitted.addAll(List.of("--set", kv));
    }
    assertEquals(0, Main.run(args.toArray(String[]::new), System.out, System.err));
    SubmitResult r = cluster.submit(appJar, Main.class.getName(), List.of(), submitted.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r::describe);
    assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(remote), name + ": cluster artifact equals local");
    return r.stderr();
  }

  @Test
  void badInputOnTheClusterExitsThreeAndLeavesNothing(StandaloneCluster cluster) throws IOException {
    Path nan = TestModels.write(dir.resolve("nan.safetensors"), 12, Float.NaN);
    Path out = dir.resolve("nan.nnz.safetensors");
    SubmitResult r = cluster.submit(appJar, Main.class.getName(), List.of("spark.task.maxFailures=1"),
        "compress", "--in", nan.toString(), "--out", out.toString());
    assertEquals(Main.INVALID_INPUT, r.exitCode(), r::describe);
    assertTrue(r.stderr().contains("tensor 'block.weight' holds 1 NaN/Inf values"), r::describe);
    try (var files = Files.list(dir)) {
      assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("nan.nnz")), "no output left");
    }
  }
}
