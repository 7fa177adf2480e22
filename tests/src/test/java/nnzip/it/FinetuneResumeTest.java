package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nnzip.cli.Main;
import nnzip.model.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finetuning compress whose JVM is killed (SIGKILL) after its first checkpoint leaves no output;
 * running the same command again resumes from the checkpoint and writes an artifact byte-identical
 * to an uninterrupted run's.
 */
class FinetuneResumeTest {
  @TempDir Path dir;

  private List<String> args(Path model, Path out) {
    return new ArrayList<>(List.of("compress", "--in", model.toString(), "--out", out.toString(), "--recipe", "dp-2bit",
        "--data", "fashion-mnist", "--set", "finetune.epochs=2", "--set", "finetune.examples=2000",
        "--set", "finetune.steps-per-round=3", "--master", "local[2]"));
  }

  @Test
  void aKilledFinetuneResumesToTheSameArtifact() throws Exception {
    Path model = dir.resolve("m.onnx");
    Files.write(model, Architecture.MLP_300_100.build(new int[] {1, 28, 28}, 10, 3).toByteArray());
    Path straight = dir.resolve("straight.nnz.safetensors");
    assertEquals(0, Main.run(args(model, straight).toArray(new String[0]), System.out, System.err));

    Path out = dir.resolve("resumed.nnz.safetensors");
    Path ckpt = Path.of(out + ".ckpt");
    List<String> cmd = args(model, out);
    cmd.add(0, System.getProperty("nnzip.launcher"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(ckpt), "a checkpoint appeared before the run ended: " + Files.readString(dir.resolve("killed.log")));
    p.destroyForcibly();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertFalse(Files.exists(out), "a killed run leaves no artifact");

    Process again = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("resumed.log").toFile())
        .start();
    assertTrue(again.waitFor(300, TimeUnit.SECONDS), "the resumed run finished in time");
    String log = Files.readString(dir.resolve("resumed.log"));
    assertEquals(0, again.exitValue(), log);
    assertTrue(log.contains("resuming from checkpoint"), log);
    assertFalse(Files.exists(ckpt), "the checkpoint is removed after success");
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(out));
  }
}
