package nnzip.deploy;

import static nnzip.deploy.DeployFiles.APP_JAR;
import static nnzip.deploy.DeployFiles.OPENS;
import static nnzip.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/bin/nnzip's spark-submit passthrough: the exact command it composes (against a stand-in
 * spark-submit that prints its arguments), a real compress through SparkSubmit with passthrough
 * options that writes the same bytes as the embedded run, cluster mode's need for a shared jar, and
 * README's spark-submit example, expanded by bash itself, carrying every flag the launcher sets.
 */
class LauncherPassthroughTest {
  private static final Path LAUNCHER = Path.of(System.getProperty("nnzip.launcher"));

  @TempDir
  Path dir;

  @Test
  void sparkSubmitOptionsGoToSparkSubmitAndTheRestToTheCli() throws Exception {
    DeployFiles.Result r = DeployFiles.run(List.of(LAUNCHER.toString(), "--conf", "spark.a=b", "compress", "--in", "m",
        "--executor-memory=2g", "--num-executors", "3", "--master", "spark://h:7077", "--out", "o"),
        Map.of("SPARK_HOME", fakeSparkHome().toString()), dir, 60);
    assertEquals(0, r.exit(), r.err());
    List<String> expected = new ArrayList<>(List.of("--master", "spark://h:7077", "--deploy-mode", "client",
        "--class", DeployFiles.mainClass()));
    expected.addAll(launcherConfs());
    expected.addAll(List.of("--conf", "spark.a=b", "--executor-memory", "2g", "--num-executors", "3",
        APP_JAR.toString(), "compress", "--in", "m", "--master", "spark://h:7077", "--out", "o"));
    assertEquals(expected, lines(r.out()));
  }

  @Test
  void clusterModeSubmitsTheSharedJarAndRefusesWithoutOne() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("SPARK_HOME", fakeSparkHome().toString()));
    env.put("NNZIP_APP_JAR", "");
    DeployFiles.Result refused = DeployFiles.run(List.of(LAUNCHER.toString(), "--deploy-mode", "cluster", "--master",
        "yarn", "version"), env, dir, 60);
    assertEquals(2, refused.exit());
    assertEquals("", refused.out(), "spark-submit never ran");
    assertEquals(1, refused.err().lines().count(), refused.err());
    assertTrue(refused.err().contains("NNZIP_APP_JAR"), refused.err());

    env.put("NNZIP_APP_JAR", "hdfs:///jars/nnzip.jar");
    DeployFiles.Result r = DeployFiles.run(List.of(LAUNCHER.toString(), "--deploy-mode", "cluster", "--master", "yarn",
        "version"), env, dir, 60);
    assertEquals(0, r.exit(), r.err());
    List<String> argv = lines(r.out());
    assertEquals("cluster", argv.get(argv.indexOf("--deploy-mode") + 1));
    int jar = argv.indexOf("hdfs:///jars/nnzip.jar");
    assertTrue(jar > 0, argv.toString());
    assertEquals(List.of("--master", "yarn", "version"), argv.subList(jar + 1, argv.size()), "--master goes to both");

    DeployFiles.Result bad = DeployFiles.run(List.of(LAUNCHER.toString(), "version", "--num-executors"), env, dir, 60);
    assertEquals(2, bad.exit());
    assertEquals("nnzip: --num-executors needs a value\n", bad.err());
  }

  @Test
  void passthroughRunsThroughSparkSubmitAndWritesTheSameArtifactAsEmbedded() throws Exception {
    Path model = tinySafetensors(dir.resolve("m.safetensors"));
    Map<String, String> env = new HashMap<>(Map.of("SPARK_LOCAL_IP", "127.0.0.1"));
    env.put("SPARK_HOME", "");  // the build's SparkSubmit, as the tests have no Spark distribution
    Path embedded = dir.resolve("embedded.nnz.safetensors");
    DeployFiles.Result e = DeployFiles.run(List.of(LAUNCHER.toString(), "compress", "--in", model.toString(), "--out",
        embedded.toString(), "--set", "bits=5", "--master", "local[1]"), env, dir, 300);
    assertEquals(0, e.exit(), e.err());

    Path submitted = dir.resolve("submitted.nnz.safetensors");
    DeployFiles.Result s = DeployFiles.run(List.of(LAUNCHER.toString(), "--conf", "spark.nnzip.probe=passthrough",
        "--executor-memory", "600m", "compress", "--in", model.toString(), "--out", submitted.toString(), "--set", "bits=5",
        "--num-executors", "1", "--master", "local[1]", "--verbose"), env, dir, 300);
    String log = s.out() + s.err();
    assertEquals(0, s.exit(), log);
    // spark-submit --verbose lists what it parsed: the options reached it, not the CLI.
    assertTrue(log.contains("Parsed arguments:"), log);
    assertTrue(Pattern.compile("executorMemory\\s+600m").matcher(log).find(), log);
    assertTrue(Pattern.compile("numExecutors\\s+1").matcher(log).find(), log);
    assertTrue(log.contains("(spark.nnzip.probe,passthrough)"), log);
    // The same codes and parameters. (Not the whole file: the header's provenance names the git commit
    // of the code that ran, and a narrow test build may have newer classes than the packaged jar.)
    assertArrayEquals(blob(embedded), blob(submitted));
  }

  /** The bytes of an artifact's {@code nnzip.blob} entry: every code and parameter of every tensor. */
  private static byte[] blob(Path artifact) throws Exception {
    byte[] bytes = Files.readAllBytes(artifact);
    int headerLength = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode offsets = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8))
        .at("/nnzip.blob/data_offsets");
    int start = 8 + headerLength + offsets.get(0).asInt();
    int end = 8 + headerLength + offsets.get(1).asInt();
    assertTrue(end - start > 48 * 32 * 5 / 8, "codes of 5 bits for 48 x 32 values: " + (end - start) + " bytes");
    return Arrays.copyOfRange(bytes, start, end);
  }

  @Test
  void readmesSparkSubmitExampleCarriesEveryFlagTheLauncherSets() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher m = Pattern.compile("(?s)### On a cluster.*?```bash\\n(.*?)```").matcher(readme);
    assertTrue(m.find(), "README's spark-submit example under 'On a cluster'");
    // bash expands the example as a user's shell would (quotes, continuations); spark-submit prints it.
    String script = "spark-submit() { printf '%s\\n' \"$@\"; }\n" + m.group(1);
    DeployFiles.Result r = DeployFiles.run(List.of("bash", "-c", script), Map.of(), ROOT, 30);
    assertEquals(0, r.exit(), r.err());
    List<String> argv = lines(r.out());
    assertEquals(DeployFiles.mainClass(), argv.get(argv.indexOf("--class") + 1));
    List<String> confs = launcherConfs();
    for (int i = 0; i < confs.size(); i += 2) {
      String conf = confs.get(i + 1);
      if (!conf.startsWith("spark.executorEnv.MALLOC_")) {  // a speed setting, not needed to run
        assertTrue(argv.contains(conf), "README's example sets " + conf);
      }
    }
    int jar = argv.indexOf(ROOT.relativize(APP_JAR).toString());
    assertTrue(jar > 0, "README submits the jar the build writes, relative to the repository root: " + argv);
    assertEquals("compress", argv.get(jar + 1));
  }

  /** The --conf pairs the launcher passes before the user's (as composed against the stand-in). */
  private List<String> launcherConfs() throws Exception {
    DeployFiles.Result r = DeployFiles.run(List.of(LAUNCHER.toString(), "--master", "spark://h:7077", "version"),
        Map.of("SPARK_HOME", fakeSparkHome().toString()), dir, 60);
    List<String> argv = lines(r.out());
    List<String> confs = new ArrayList<>();
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).equals("--conf")) {
        confs.addAll(argv.subList(i, i + 2));
      }
    }
    assertTrue(confs.contains("spark.driver.extraJavaOptions=" + OPENS), confs.toString());
    assertTrue(confs.contains("spark.executor.extraJavaOptions=" + OPENS), confs.toString());
    return confs;
  }

  private Path fakeSparkHome() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("spark/bin"));
    Path submit = bin.resolve("spark-submit");
    Files.writeString(submit, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin.getParent();
  }

  private static List<String> lines(String out) {
    return Arrays.asList(out.split("\n"));
  }

  /** A safetensors file with one F32 tensor of 48 x 32 seeded Gaussian values. */
  private static Path tinySafetensors(Path file) throws Exception {
    int n = 48 * 32;
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[48,32],\"data_offsets\":[0," + 4 * n + "]}}";
    byte[] h = (header + " ".repeat((8 - header.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Random random = new Random(7);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) random.nextGaussian());
    }
    return Files.write(file, b.array());
  }
}
