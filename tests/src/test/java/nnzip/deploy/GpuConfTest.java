package nnzip.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The spark-submit properties files in deploy/conf/gpu, read the way spark-submit reads them
 * ({@link Properties#load}): one GPU per executor and per task, the discovery script, one OpenMP
 * thread, and the same JVM flags as the pom's {@code nnzip.jvm.opens} and the launcher, so the copies
 * cannot drift apart.
 */
class GpuConfTest {
  private static final Path DEPLOY = Path.of(System.getProperty("nnzip.deployDir"));
  private static final String OPENS = System.getProperty("nnzip.jvmOpens");

  @Test
  void everyGpuConfAsksForOneGpuPerExecutorAndTaskWithTheProjectsJvmFlags() throws IOException {
    List<Path> confs = gpuConfs();
    assertEquals(3, confs.size(), "spark-gpu.conf and its YARN and Kubernetes variants: " + confs);
    assertTrue(OPENS != null && OPENS.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), OPENS);
    for (Path conf : confs) {
      Properties p = load(conf);
      String at = conf.getFileName().toString();
      assertEquals("1", p.getProperty("spark.executor.resource.gpu.amount"), at);
      assertEquals("1", p.getProperty("spark.task.resource.gpu.amount"), at);
      assertTrue(p.getProperty("spark.executor.resource.gpu.discoveryScript", "").endsWith("/deploy/bin/gpu-discovery"), at);
      assertEquals("1", p.getProperty("spark.executorEnv.OMP_NUM_THREADS"), at);
      assertEquals(OPENS, p.getProperty("spark.driver.extraJavaOptions"), at);
      assertEquals(OPENS, p.getProperty("spark.executor.extraJavaOptions"), at);
      assertFalse(p.stringPropertyNames().stream().anyMatch(k -> k.startsWith("spark.plugins")), at + ": no RAPIDS plugin");
    }
  }

  @Test
  void kubernetesConfNamesTheNvidiaVendor() throws IOException {
    Properties p = load(DEPLOY.resolve("conf/gpu/spark-gpu-k8s.conf"));
    assertEquals("nvidia.com", p.getProperty("spark.executor.resource.gpu.vendor"));
  }

  @Test
  void launcherUsesTheSameJvmFlagsAsThePom() throws IOException {
    Matcher m = Pattern.compile("(?m)^OPENS=\"([^\"]*)\"$").matcher(Files.readString(DEPLOY.resolve("bin/nnzip")));
    assertTrue(m.find(), "OPENS=\"...\" in deploy/bin/nnzip");
    assertEquals(OPENS, m.group(1));
  }

  private static List<Path> gpuConfs() throws IOException {
    try (Stream<Path> s = Files.list(DEPLOY.resolve("conf/gpu"))) {
      return s.filter(f -> f.getFileName().toString().endsWith(".conf")).sorted().toList();
    }
  }

  private static Properties load(Path conf) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(conf)) {
      p.load(r);
    }
    return p;
  }
}
