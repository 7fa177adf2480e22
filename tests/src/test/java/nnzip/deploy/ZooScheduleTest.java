package nnzip.deploy;

import static nnzip.deploy.DeployFiles.DEPLOY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

/**
 * The nightly schedule in deploy/schedule: the cron line names the wrapper with a manifest, and the
 * wrapper runs {@code nnzip zoo --manifest M} under a lock (a second start while the first runs exits
 * 75 at once and leaves the first alone), logs to a dated file, and exits with the zoo's code. The
 * launcher is replaced by a fake that records its arguments and waits for the test's go.
 */
class ZooScheduleTest {
  private static final Path WRAPPER = DEPLOY.resolve("schedule/nnzip-zoo-nightly");

  @TempDir
  Path dir;

  @Test
  void shellcheckFindsNothingInTheWrapper() throws Exception {
    Path shellcheck = DeployFiles.onPath("shellcheck");
    assumeTrue(shellcheck != null, "shellcheck is not installed");
    DeployFiles.Result r = DeployFiles.run(List.of(shellcheck.toString(), WRAPPER.toString()), Map.of(), dir, 60);
    assertEquals(0, r.exit(), r.out());
  }

  @Test
  void cronLineRunsTheWrapperNightlyWithAManifest() throws Exception {
    List<String[]> jobs = new ArrayList<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("schedule/nnzip-zoo.cron"))) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#") || t.matches("[A-Z_]+=.*")) {
        continue;
      }
      jobs.add(t.split("\\s+"));
    }
    assertEquals(1, jobs.size(), "one job line");
    String[] f = jobs.get(0);
    // /etc/cron.d format: minute hour day-of-month month day-of-week user command...
    assertTrue(f.length >= 8, String.join(" ", f));
    assertField(f[0], 0, 59);
    assertField(f[1], 0, 23);
    assertEquals(List.of("*", "*", "*"), List.of(f[2], f[3], f[4]), "every night");
    assertTrue(f[5].matches("[a-z_][a-z0-9_-]*"), "a user name: " + f[5]);
    assertTrue(f[6].startsWith("/opt/nnzip/"), "the repository at /opt/nnzip: " + f[6]);
    Path wrapper = DeployFiles.ROOT.resolve(f[6].substring("/opt/nnzip/".length()));
    assertEquals(WRAPPER, wrapper);
    assertTrue(Files.isExecutable(wrapper), wrapper + " is executable");
    assertTrue(f[7].endsWith(".conf") && f[7].startsWith("/"), "the manifest, absolute: " + f[7]);
  }

  @Test
  void secondStartWhileTheFirstRunsExitsAtOnceAndTheFirstFinishesWithTheZoosCode() throws Exception {
    Path manifest = Files.writeString(dir.resolve("zoo.conf"), "out = \"/tmp/zoo\"\nmodels = []\n");
    Path go = dir.resolve("go");
    Path calls = dir.resolve("calls");
    Path launcher = executable(dir.resolve("fake-nnzip"), "#!/bin/sh\n"
        + "echo \"$*\" >> '" + calls + "'\n"
        + "echo 'zoo: model a ok'\n"
        + "echo 'zoo: model b failed: corrupt' >&2\n"
        + "while [ ! -f '" + go + "' ]; do sleep 0.1; done\n"
        + "exit 4\n");
    Path logs = dir.resolve("logs");
    Map<String, String> env = Map.of("NNZIP_LAUNCHER", launcher.toString(), "NNZIP_ZOO_LOG_DIR", logs.toString());

    ProcessBuilder first = new ProcessBuilder("bash", WRAPPER.toString(), manifest.toString(), "--master", "spark://m:7077");
    first.environment().putAll(env);
    first.redirectErrorStream(true).redirectOutput(dir.resolve("first.out").toFile());
    Process p = first.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.exists(calls) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(Files.exists(calls), "the first run started the zoo");

      DeployFiles.Result second = DeployFiles.run(List.of("bash", WRAPPER.toString(), manifest.toString()), env, dir, 20);
      assertEquals(75, second.exit(), second.err());
      assertTrue(second.err().contains("still holds"), second.err());
      assertEquals(1, Files.readAllLines(calls).size(), "the second start did not run the zoo");
      assertTrue(p.isAlive(), "the first run goes on");

      Files.writeString(go, "");
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      String firstOut = Files.readString(dir.resolve("first.out"));
      assertEquals(4, p.exitValue(), firstOut);
      assertTrue(firstOut.contains("exited with 4"), firstOut);
      assertEquals(List.of("zoo --manifest " + manifest + " --master spark://m:7077"), Files.readAllLines(calls));
    } finally {
      // Whatever failed above, the fake zoo must not wait forever.
      Files.writeString(go, "");
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }

    List<Path> logFiles;
    try (var s = Files.list(logs)) {
      logFiles = s.filter(f -> f.getFileName().toString().matches("zoo-\\d{8}\\.log")).toList();
    }
    assertEquals(1, logFiles.size(), "one dated log");
    String log = Files.readString(logFiles.get(0), StandardCharsets.UTF_8);
    assertTrue(log.contains("zoo: model a ok") && log.contains("zoo: model b failed: corrupt"), log);
    assertTrue(log.strip().endsWith("exit 4"), log);

    // The lock went with the first run: the next night starts.
    Files.delete(calls);
    DeployFiles.Result next = DeployFiles.run(List.of("bash", WRAPPER.toString(), manifest.toString()), env, dir, 20);
    assertEquals(4, next.exit(), next.err());
    assertTrue(Files.exists(calls));
  }

  @Test
  void missingManifestIsAUsageErrorBeforeAnyLock() throws Exception {
    Path logs = dir.resolve("logs");
    DeployFiles.Result r = DeployFiles.run(List.of("bash", WRAPPER.toString(), dir.resolve("nope.conf").toString()),
        Map.of("NNZIP_ZOO_LOG_DIR", logs.toString(), "NNZIP_LAUNCHER", "/bin/false"), dir, 20);
    assertEquals(2, r.exit());
    assertEquals("nnzip-zoo-nightly: manifest not found: " + dir.resolve("nope.conf") + "\n", r.err());
    assertFalse(Files.exists(logs), "nothing written");
  }

  private static void assertField(String field, int min, int max) {
    assertTrue(field.matches("\\d+"), "a fixed time: " + field);
    int v = Integer.parseInt(field);
    assertTrue(v >= min && v <= max, field + " in [" + min + ", " + max + "]");
  }

  private static Path executable(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
