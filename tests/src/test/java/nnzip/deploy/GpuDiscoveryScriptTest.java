package nnzip.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * deploy/bin/gpu-discovery, the script Spark runs to learn a host's GPU addresses, against a fake
 * {@code nvidia-smi} on PATH (or none): the JSON Spark parses, CUDA_VISIBLE_DEVICES filtering, and the
 * failure modes. Runs anywhere, no GPU needed; PATH holds only the fake, so a real nvidia-smi on the
 * test machine does not leak in.
 */
class GpuDiscoveryScriptTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void scriptIsAnExecutableBashScript() throws IOException {
    Path script = script();
    assertTrue(Files.isExecutable(script), script + " is executable");
    assertTrue(Files.readAllLines(script).get(0).startsWith("#!/usr/bin/env bash"), "bash shebang");
  }

  @Test
  void withoutNvidiaSmiItReportsNoGpus() throws Exception {
    Result r = run(emptyBin(), null);
    assertEquals(0, r.exit, r.err);
    assertEquals(List.of(), addresses(r.out));
    assertTrue(r.err.contains("nvidia-smi not found"), r.err);
  }

  @Test
  void listsEveryGpuThatNvidiaSmiReports() throws Exception {
    Result r = run(fakeNvidiaSmi("0\\n1\\n"), null);
    assertEquals(0, r.exit, r.err);
    assertEquals(List.of("0", "1"), addresses(r.out));
    assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\",\"1\"]}\n", r.out, "one line, no stray spaces");
  }

  @Test
  void toleratesSpacesAndCarriageReturnsInNvidiaSmiOutput() throws Exception {
    Result r = run(fakeNvidiaSmi(" 0 \\r\\n1\\r\\n\\n"), null);
    assertEquals(0, r.exit, r.err);
    assertEquals(List.of("0", "1"), addresses(r.out));
  }

  @Test
  void cudaVisibleDevicesSelectsGpusInItsOrder() throws Exception {
    Path bin = fakeNvidiaSmi("0\\n1\\n");
    assertEquals(List.of("1"), addresses(run(bin, "1").out));
    assertEquals(List.of("1", "0"), addresses(run(bin, "1, 0").out));
    assertEquals(List.of(), addresses(run(bin, "").out), "set but empty hides every GPU");
    assertEquals(List.of("0"), addresses(run(bin, "0,7,1").out), "like CUDA, the list ends at an unknown GPU");
    assertEquals(List.of("GPU-8a1c", "1"), addresses(run(bin, "GPU-8a1c,01").out), "UUIDs pass through");
  }

  @Test
  void countPrintsTheNumberOfGpus() throws Exception {
    Path bin = fakeNvidiaSmi("0\\n1\\n");
    assertEquals("2\n", run(bin, null, "--count").out);
    assertEquals("1\n", run(bin, "1", "--count").out);
    assertEquals("0\n", run(emptyBin(), null, "--count").out);
  }

  @Test
  void failingNvidiaSmiIsAnErrorNotAnEmptyList() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("failing"));
    executable(bin.resolve("nvidia-smi"), "#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n");
    Result r = run(bin, null);
    assertEquals(1, r.exit);
    assertEquals("", r.out);
    assertTrue(r.err.contains("NVIDIA-SMI has failed"), r.err);
  }

  @Test
  void shellcheckFindsNothingInTheDeployScripts() throws Exception {
    // deploy/bin/setup --test-fixtures installs shellcheck, so CI runs this.
    Path shellcheck = onPath("shellcheck");
    assumeTrue(shellcheck != null, "shellcheck is not installed");
    Path deploy = Path.of(System.getProperty("nnzip.deployDir"));
    Process p = new ProcessBuilder(shellcheck.toString(), script().toString(), deploy.resolve("bin/nnzip").toString(),
        deploy.resolve("bin/nnzip-dial").toString(), deploy.resolve("bin/setup").toString(),
        deploy.resolve("bin/test").toString(),
        deploy.resolve("bench/figures.sh").toString(), deploy.resolve("conf/gpu/spark-env-gpu.sh").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  private record Result(int exit, String out, String err) {}

  private static Path script() {
    return Path.of(System.getProperty("nnzip.deployDir"), "bin", "gpu-discovery");
  }

  /** Runs the script with bash, PATH = {@code bin} only, CUDA_VISIBLE_DEVICES unset when null. */
  private static Result run(Path bin, String cudaVisibleDevices, String... args) throws Exception {
    Path bash = onPath("bash");
    List<String> command = new ArrayList<>(List.of(bash == null ? "/bin/bash" : bash.toString(), script().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.put("PATH", bin.toString());
    env.remove("CUDA_VISIBLE_DEVICES");
    if (cudaVisibleDevices != null) {
      env.put("CUDA_VISIBLE_DEVICES", cudaVisibleDevices);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gpu-discovery finished");
    return new Result(p.exitValue(), out, err);
  }

  /** The "addresses" of Spark's resource JSON, after checking its "name". */
  private static List<String> addresses(String json) throws IOException {
    JsonNode node = JSON.readTree(json);
    assertEquals("gpu", node.get("name").asText(), json);
    List<String> out = new ArrayList<>();
    node.get("addresses").forEach(a -> out.add(a.asText()));
    return out;
  }

  private Path emptyBin() throws IOException {
    return Files.createDirectories(dir.resolve("empty"));
  }

  /** A bin folder whose nvidia-smi prints {@code printfFormat} (a printf format string). */
  private Path fakeNvidiaSmi(String printfFormat) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("fake-" + Integer.toHexString(printfFormat.hashCode())));
    executable(bin.resolve("nvidia-smi"), "#!/bin/sh\nprintf '" + printfFormat + "'\n");
    return bin;
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Path onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
