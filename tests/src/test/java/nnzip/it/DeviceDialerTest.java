package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import nnzip.cli.Main;
import nnzip.subspace.SubspaceKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device dialer ({@code deploy/bin/nnzip-dial}, the jar of deploy/dialer) against {@code nnzip
 * dial}: for a line of each kind trained here (and an unstructured one of the global magnitude scope), the jar run alone in a JVM of 64 MiB writes the same
 * bytes as {@code dial} at every α tried; the jar stays under 300 KB with no Spark, ND4J, Hadoop,
 * protobuf or Jackson class in it; bad input ends with one error line, a non-zero exit and no output.
 */
class DeviceDialerTest {
  /** The target for the jar. */
  static final long MAX_JAR_BYTES = 300_000;

  @TempDir static Path dir;
  /** The lines by kind label, and "unstructured-global" for the one whose magnitudes rank over the model. */
  static final Map<String, Path> LINES = new TreeMap<>();

  record Run(int code, String err) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("nnzip.dialerJar", "../deploy/dialer/target/nnzip-dial.jar"));
    assertTrue(Files.isRegularFile(jar), jar + " is missing: build it with mvn -pl deploy/dialer -am package");
    return jar;
  }

  /** The jar alone on the class path of a JVM with a device's heap. */
  static Run device(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", jar().toString(), "nnzip.dialer.DeviceDialer"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the dialer did not finish");
    return new Run(p.exitValue(), new String(err, StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void trainALineOfEachKind() {
    List<String> names = new ArrayList<>();
    for (SubspaceKind kind : SubspaceKind.values()) {
      names.add(kind.label());
    }
    names.add("unstructured-global");
    for (String name : names) {
      Path out = dir.resolve(name + ".nnz.safetensors");
      Run r = cli("train", "--arch", "lenet5", "--subspace", name.split("-")[0], "--data", "fashion-mnist", "--out",
          out.toString(), "--set", "subspace.epochs=1", "--set", "finetune.examples=256", "--master", "local[1]",
          "--set", "subspace.magnitude-scope=" + (name.endsWith("-global") ? "global" : "layer"));
      assertEquals(Main.OK, r.code(), r.err());
      LINES.put(name, out);
    }
  }

  @Test
  void jarIsSmallAndHoldsNothingButNnzipClasses() throws IOException {
    Path jar = jar();
    assertTrue(Files.size(jar) < MAX_JAR_BYTES, jar + " has " + Files.size(jar) + " bytes");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertEquals("nnzip.dialer.DeviceDialer", j.getManifest().getMainAttributes().getValue("Main-Class"));
      List<String> foreign = j.stream().map(e -> e.getName())
          .filter(n -> n.endsWith(".class") && !n.startsWith("nnzip/")).toList();
      assertEquals(List.of(), foreign, "classes outside nnzip");
      for (String banned : new String[] {"org/apache/spark/", "org/apache/hadoop/", "org/nd4j/", "onnx/",
          "com/fasterxml/", "com/google/protobuf/"}) {
        assertTrue(j.stream().noneMatch(e -> e.getName().startsWith(banned)), banned);
      }
    }
  }

  @Test
  void deviceDialerWritesTheBytesOfDialForEveryKind() throws Exception {
    for (Map.Entry<String, Path> line : LINES.entrySet()) {
      byte[] previous = null;
      for (String alpha : new String[] {"0", "0.0769", "0.3", "0.55", "1"}) {
        String name = line.getKey() + "-" + alpha;
        Path byDial = dir.resolve(name + ".dial.onnx");
        Path byDevice = dir.resolve(name + ".device.onnx");
        Run d = cli("dial", "--in", line.getValue().toString(), "--alpha", alpha, "--out", byDial.toString());
        assertEquals(Main.OK, d.code(), d.err());
        Run r = device(line.getValue().toString(), alpha, byDevice.toString());
        assertEquals(0, r.code(), r.err());
        byte[] expected = Files.readAllBytes(byDial);
        assertArrayEquals(expected, Files.readAllBytes(byDevice), name);
        if (previous != null) {
          assertNotEquals(Arrays.hashCode(previous), Arrays.hashCode(expected), name + " differs from the point before");
        }
        previous = expected;
      }
    }
  }

  @Test
  void launcherRunsTheJarAndExplainsItself() throws Exception {
    Path script = Path.of(System.getProperty("nnzip.deployDir", "../deploy"), "bin", "nnzip-dial");
    Process help = new ProcessBuilder(script.toString(), "--help").redirectErrorStream(true).start();
    String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, help.waitFor(), text);
    assertTrue(text.startsWith("usage: deploy/bin/nnzip-dial S.nnz.safetensors ALPHA M.onnx"), text);

    Path line = LINES.get(SubspaceKind.STRUCTURED.label());
    Path byDial = dir.resolve("launcher.dial.onnx");
    Path byScript = dir.resolve("launcher.device.onnx");
    assertEquals(Main.OK, cli("dial", "--in", line.toString(), "--alpha", "0.7", "--out", byDial.toString()).code());
    ProcessBuilder pb = new ProcessBuilder(script.toString(), line.toString(), "0.7", byScript.toString())
        .redirectErrorStream(true);
    pb.environment().put("NNZIP_DIAL_JAR", jar().toAbsolutePath().toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertArrayEquals(Files.readAllBytes(byDial), Files.readAllBytes(byScript));
  }

  @Test
  void badInputEndsWithOneLineNonZeroExitAndNoOutput() throws Exception {
    Path line = LINES.get(SubspaceKind.BITS.label());
    Path outDir = Files.createDirectories(dir.resolve("refused"));
    Path out = outDir.resolve("m.onnx");

    Run outside = device(line.toString(), "1.5", out.toString());
    assertEquals(2, outside.code(), outside.err());
    assertTrue(outside.err().contains("ALPHA must be in [0, 1]"), outside.err());
    Run negative = device(line.toString(), "-0.1", out.toString());
    assertEquals(2, negative.code(), negative.err());
    Run notANumber = device(line.toString(), "half", out.toString());
    assertEquals(2, notANumber.code(), notANumber.err());

    // One model compressed as usual: an artifact with no subspace in it.
    Path model = dir.resolve("plain.onnx");
    assertEquals(Main.OK, cli("dial", "--in", line.toString(), "--alpha", "1", "--out", model.toString()).code());
    Path plain = dir.resolve("plain.nnz.safetensors");
    Run c = cli("compress", "--in", model.toString(), "--out", plain.toString(), "--master", "local[1]");
    assertEquals(Main.OK, c.code(), c.err());
    Run noLine = device(plain.toString(), "0.5", out.toString());
    assertEquals(3, noLine.code(), noLine.err());
    assertTrue(noLine.err().contains("not a compressible subspace"), noLine.err());

    Path truncated = dir.resolve("truncated.nnz.safetensors");
    byte[] all = Files.readAllBytes(line);
    Files.write(truncated, Arrays.copyOf(all, all.length / 2));
    Run cut = device(truncated.toString(), "0.5", out.toString());
    assertEquals(3, cut.code(), cut.err());

    Run missing = device(dir.resolve("nope.nnz.safetensors").toString(), "0.5", out.toString());
    assertEquals(3, missing.code(), missing.err());

    for (Run r : new Run[] {outside, negative, notANumber, noLine, cut, missing}) {
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().startsWith("nnzip-dial: error: "), r.err());
    }
    try (var left = Files.list(outDir)) {
      assertFalse(left.findAny().isPresent(), "a refused dial left output");
    }
  }
}
