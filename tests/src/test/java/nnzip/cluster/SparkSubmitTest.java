package nnzip.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code spark-submit} in client mode against the shared standalone cluster. */
@ExtendWith(StandaloneClusterExtension.class)
class SparkSubmitTest {

  private static final long N = 1_000_000;
  private static final int PARTITIONS = 8;

  private static Path appJar;

  @BeforeAll
  static void packTestClasses(StandaloneCluster cluster) {
    appJar = TestClassesJar.build(cluster.baseDir().resolve("submit-app.jar"));
  }

  @Test
  void submittedProbeWritesTheLocallyComputedResult(StandaloneCluster cluster, @TempDir Path tmp)
      throws IOException {
    Path out = tmp.resolve("probe.txt");
    SubmitResult result = cluster.submit(appJar.toString(), SubmitProbe.class.getName(), List.of(),
        out.toString(), Long.toString(N), Integer.toString(PARTITIONS));

    assertEquals(0, result.exitCode(), result::describe);
    List<String> lines = Files.readAllLines(out);
    assertEquals(ProbeJob.reference(N).fingerprint(), lines.get(0));
    assertTrue(lines.get(1).startsWith("executors=") && lines.get(1).length() > "executors=".length(),
        lines.get(1));
    assertFalse(lines.get(1).contains("driver"), lines.get(1));
    assertTrue(cluster.masterState().contains("nnzip-submit-probe"), "the Master never saw the app");
  }

  @Test
  void failingMainGivesNonZeroExitCode(StandaloneCluster cluster) {
    SubmitResult result = cluster.submit(appJar.toString(), FailingProbe.class.getName(),
        List.of("spark.task.maxFailures=1"), Duration.ofSeconds(60));

    assertNotEquals(0, result.exitCode(), result::describe);
    assertTrue(result.stderr().contains(FailingProbe.MESSAGE), result::describe);
  }
}
