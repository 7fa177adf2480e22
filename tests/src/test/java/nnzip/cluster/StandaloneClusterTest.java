package nnzip.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A driver in the test JVM (client mode) against the shared standalone cluster. */
@ExtendWith(StandaloneClusterExtension.class)
class StandaloneClusterTest {

  private static final long N = 1_000_000;
  private static final int PARTITIONS = 8;

  private static ProbeJob.Result reference;

  @BeforeAll
  static void computeReference() {
    reference = ProbeJob.reference(N);
  }

  @Test
  void workerRegistersWithAllItsCoresOnLoopback(StandaloneCluster cluster) {
    assertTrue(cluster.masterUrl().startsWith("spark://127.0.0.1:"), cluster.masterUrl());
    String state = cluster.masterState();
    assertTrue(state.matches("(?s).*\"aliveworkers\"\\s*:\\s*1\\b.*"), state);
    assertTrue(state.matches("(?s).*\"cores\"\\s*:\\s*" + StandaloneCluster.WORKER_CORES + "\\b.*"), state);
    assertTrue(Files.isRegularFile(cluster.sparkHome().resolve("RELEASE")));
  }

  @Test
  void clientJobOnTheClusterMatchesLocalTwoThreads(StandaloneCluster cluster) throws IOException {
    ProbeJob.Result local = run(Map.of(
        "spark.master", "local[2]",
        "spark.driver.host", "127.0.0.1",
        "spark.driver.bindAddress", "127.0.0.1",
        "spark.ui.enabled", "false"));
    SparkConf remoteConf = new SparkConf();
    cluster.clientConf().forEach(remoteConf::set);
    // The probe's lambdas live in the test classes, which the cluster's SPARK_HOME lacks.
    remoteConf.set("spark.jars", TestClassesJar.build(cluster.baseDir().resolve("test-classes.jar")).toString());
    ProbeJob.Result remote = run(remoteConf);

    assertEquals(reference.fingerprint(), local.fingerprint());
    assertEquals(local.fingerprint(), remote.fingerprint());
    assertEquals(List.of("driver"), local.executorIds());
    assertFalse(remote.executorIds().isEmpty());
    assertFalse(remote.executorIds().contains("driver"), remote.executorIds().toString());
    assertTrue(executorLogs(cluster) > 0, "no executor stderr under " + cluster.workDir());
  }

  @Test
  void oneClusterServesTheWholeRun(StandaloneCluster cluster) {
    assertEquals(1, StandaloneClusterExtension.starts());
    assertTrue(cluster.toString().contains(cluster.masterUrl()));
  }

  private static ProbeJob.Result run(Map<String, String> settings) {
    SparkConf conf = new SparkConf();
    settings.forEach(conf::set);
    return run(conf);
  }

  private static ProbeJob.Result run(SparkConf conf) {
    try (JavaSparkContext sc = new JavaSparkContext(conf.setAppName("nnzip-cluster-client-test"))) {
      return ProbeJob.run(sc, N, PARTITIONS);
    }
  }

  /** Executor logs the Worker wrote: a {@code stderr} file per executor folder per app folder. */
  static long executorLogs(StandaloneCluster cluster) throws IOException {
    try (Stream<Path> files = Files.walk(cluster.workDir(), 3)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr"))
          .filter(p -> p.getParent().getParent().getFileName().toString().startsWith("app-"))
          .count();
    }
  }
}
