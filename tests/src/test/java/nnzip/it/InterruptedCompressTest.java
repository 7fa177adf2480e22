package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import nnzip.cli.Main;
import nnzip.model.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compress stopped mid-run through the launcher: SIGKILL leaves its {@code <out>.tmp-<id>/} (the
 * reproduction), which the next run for the same output removes, proving its owner gone; SIGTERM
 * removes it before the JVM exits. Either way no artifact is visible, and the rerun's artifact is
 * byte-identical to an uninterrupted run's.
 */
class InterruptedCompressTest {
  @TempDir Path dir;

  private static List<String> args(Path model, Path out) {
    return new ArrayList<>(List.of("compress", "--in", model.toString(), "--out", out.toString(),
        "--recipe", "dp-2bit", "--master", "local[2]"));
  }

  /** The temporary directories of runs for {@code out}, named {@code <out>.tmp-...}. */
  private List<Path> temps(Path out) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(out.getFileName() + ".tmp-")).toList();
    }
  }

  /** Starts the launcher and returns once its temporary directory has its owner file. */
  private Process startAndWaitForTemp(List<String> args, Path out, Path log) throws Exception {
    List<String> cmd = new ArrayList<>(args);
    cmd.add(0, System.getProperty("nnzip.launcher"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (p.isAlive() && System.nanoTime() < deadline
        && temps(out).stream().noneMatch(t -> Files.exists(t.resolve("_nnzip-owner")))) {
      Thread.sleep(2);
    }
    assertTrue(p.isAlive(), "the run was still going when its temporary directory appeared: " + Files.readString(log));
    return p;
  }

  @Test
  void aKilledRunsTempIsRemovedByTheNextRunAndATerminatedRunRemovesItsOwn() throws Exception {
    Path model = dir.resolve("m.onnx");
    Files.write(model, Architecture.MLP_300_100.build(new int[] {1, 28, 28}, 10, 5).toByteArray());
    Path straight = dir.resolve("straight.nnz.safetensors");
    assertEquals(0, Main.run(args(model, straight).toArray(new String[0]), System.out, System.err));

    Path out = dir.resolve("out.nnz.safetensors");
    Process killed = startAndWaitForTemp(args(model, out), out, dir.resolve("killed.log"));
    killed.destroyForcibly(); // SIGKILL: no hook runs
    assertTrue(killed.waitFor(60, TimeUnit.SECONDS));
    List<Path> left = temps(out);
    assertEquals(1, left.size(), "SIGKILL leaves the temporary directory: " + left);
    assertFalse(Files.exists(out), "a killed run leaves no artifact");

    assertEquals(0, Main.run(args(model, out).toArray(new String[0]), System.out, System.err));
    assertEquals(List.of(), temps(out), "the rerun removed the stale temporary directory and its own");
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(out));

    Path termOut = dir.resolve("term.nnz.safetensors");
    Process terminated = startAndWaitForTemp(args(model, termOut), termOut, dir.resolve("terminated.log"));
    terminated.destroy(); // SIGTERM: the shutdown hook removes the temporary directory
    assertTrue(terminated.waitFor(60, TimeUnit.SECONDS));
    assertEquals(List.of(), temps(termOut), "SIGTERM cleans up: " + Files.readString(dir.resolve("terminated.log")));
    assertFalse(Files.exists(termOut) && terminated.exitValue() != 0, "no artifact from a terminated run");
  }
}
