package nnzip.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * deploy/bench/torch_train_step.py, the PyTorch reference of {@code nnzip bench train}: a clear
 * one-line failure with exit 2 where PyTorch is missing (simulated with {@code python3 -S}, which
 * hides site-packages), and, where Debian's python3-torch is installed, the JSON of a short real run.
 */
class TorchTrainStepScriptTest {
  private static final Path SCRIPT = Path.of(System.getProperty("nnzip.deployDir"), "bench", "torch_train_step.py");

  private record Result(int exit, String out, String err) {}

  @Test
  void withoutPyTorchItSaysHowToInstallItAndExitsWithTwo() throws Exception {
    Result r = run(List.of("-S"), "--arch", "mlp-300-100", "--json");
    assertEquals(2, r.exit, r.err);
    assertEquals("", r.out);
    assertEquals("PyTorch not installed: apt-get install python3-torch libopenblas0-pthread\n", r.err);
  }

  @Test
  void withPyTorchItPrintsTheTimingsAsJson() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
    Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start();
    assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "python3-torch is not installed");
    Result r = run(List.of(), "--arch", "lenet5", "--batch", "8", "--steps", "2", "--warmup", "1", "--json");
    assertEquals(0, r.exit, r.err);
    JsonNode json = new ObjectMapper().readTree(r.out);
    assertEquals("lenet5", json.get("arch").asText());
    assertEquals(8, json.get("batch").asInt());
    assertEquals(1, json.get("threads").asInt());
    assertEquals(431_080, json.get("parameters").asLong(), "LeNet-5 20-50-500 on 28x28 inputs");
    assertTrue(json.get("ms_per_step_median").asDouble() > 0, r.out);
    assertTrue(json.get("ms_per_step_mean").asDouble() > 0, r.out);
    assertTrue(json.hasNonNull("torch_version") && json.hasNonNull("blas"), r.out);
  }

  private static Result run(List<String> pythonFlags, String... args) throws Exception {
    String python = python();
    assumeTrue(python != null, "no python3 on this machine");
    List<String> command = new ArrayList<>(List.of(python));
    command.addAll(pythonFlags);
    command.add(SCRIPT.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("NNZIP_BENCH_REEXEC", "1");  // no retry with another interpreter
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "torch_train_step.py finished");
    return new Result(p.exitValue(), out, err);
  }

  /** Debian's /usr/bin/python3 (the one python3-torch installs for), else the first python3 on PATH. */
  private static String python() {
    if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return "/usr/bin/python3";
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "python3"))) {
        return Path.of(dir, "python3").toString();
      }
    }
    return null;
  }
}
