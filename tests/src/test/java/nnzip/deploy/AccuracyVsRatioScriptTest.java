package nnzip.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnzip.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * notebooks/accuracy_vs_ratio.py on the two inputs it reads: a zoo history file (DIR/_history.jsonl)
 * and the real output of {@code nnzip compress --json}. The page's title names the models from the
 * data, every row lands in the table, every run with an accuracy is one point; no rows is a loud
 * failure with no page, an unreadable line exit 3 naming it.
 */
class AccuracyVsRatioScriptTest {
  private static final Path SCRIPT = DeployFiles.ROOT.resolve("notebooks/accuracy_vs_ratio.py");
  private static final String HISTORY = String.join("\n",
      line("resnet20", "ok", null, 7.5, 0.91),
      line("detector", "ok", null, 3.9, null),
      line("corrupt", "failed", "corrupt.safetensors: header length 9999999 exceeds the file (64 bytes)", null, null),
      line("resnet20", "skipped", "unchanged since the last ok run", 7.5, 0.91),
      line("detector", "ok", null, 4.1, null),
      "");

  @TempDir
  Path dir;

  @Test
  void zooHistoryGivesOneRowPerLineAndOnePointPerRunWithAccuracy() throws Exception {
    Path history = Files.writeString(dir.resolve("_history.jsonl"), HISTORY);
    Path page = dir.resolve("report.html");
    DeployFiles.Result r = script(dir.toString(), "--out", page.toString());
    assertEquals(0, r.exit(), r.err());
    String html = Files.readString(page);
    assertTrue(html.contains("<title>nnzip: 3 models (corrupt, detector, resnet20), 2 runs, 1 failed</title>"), html);
    assertEquals(5, count(html, "<tr class="), "one table row per history line");
    assertEquals(2, count(html, "<circle class=\"point\""), "the two resnet20 runs have an accuracy");
    assertTrue(html.contains("header length 9999999 exceeds the file"), "the failed model's reason");
    assertTrue(html.contains("<td>4.10x</td>"), html);
    assertEquals(5 + 1, r.out().lines().count(), r.out());
    assertTrue(Files.exists(history));
  }

  @Test
  void compressJsonOutputIsReadWithItsRatioAndTheModelNamedByTheOutput() throws Exception {
    Path model = tinySafetensors(dir.resolve("tiny.safetensors"));
    Path artifact = dir.resolve("tiny.nnz.safetensors");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(new String[] {"compress", "--in", model.toString(), "--out", artifact.toString(), "--set",
        "bits=4", "--json", "--master", "local[1]"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
    Path json = Files.write(dir.resolve("tiny-compress.json"), out.toByteArray());
    JsonNode report = new ObjectMapper().readTree(out.toByteArray());
    double ratio = report.get("ratio").asDouble();
    assertEquals((double) Files.size(model) / Files.size(artifact), ratio, 1e-9, "the report's ratio is the files'");

    Path page = dir.resolve("report.html");
    DeployFiles.Result r = script(json.toString(), "--out", page.toString());
    assertEquals(0, r.exit(), r.err());
    String html = Files.readString(page);
    assertTrue(html.contains("<title>nnzip: 1 model (tiny), 1 run, 0 failed</title>"), html);
    assertTrue(html.contains(String.format(Locale.ROOT, "<td>%.2fx</td>", ratio)), html);
    assertTrue(html.contains("No accuracy to plot"), "no finetune, so no accuracy: said, not a blank plot");
    assertEquals(1, count(html, "<tr class=\"ok\""));
  }

  @Test
  void noRowsIsALoudFailureAndNoPage() throws Exception {
    Files.writeString(dir.resolve("_history.jsonl"), "\n");
    Path page = dir.resolve("report.html");
    DeployFiles.Result r = script(dir.toString(), "--out", page.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("NO DATA"), r.err());
    assertFalse(Files.exists(page), "no page written");
  }

  @Test
  void anUnreadableHistoryLineIsNamedAndExitsThree() throws Exception {
    Path history = Files.writeString(dir.resolve("_history.jsonl"), HISTORY + "{\"name\": \"x\", \n");
    DeployFiles.Result r = script(history.toString(), "--out", dir.resolve("report.html").toString());
    assertEquals(3, r.exit());
    assertTrue(r.err().startsWith("accuracy_vs_ratio: " + history + ":6: not JSON"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  private DeployFiles.Result script(String... args) throws Exception {
    Path python = DeployFiles.onPath("python3");
    assumeTrue(python != null, "no python3 on this machine");
    List<String> command = new java.util.ArrayList<>(List.of(python.toString(), SCRIPT.toString()));
    command.addAll(List.of(args));
    return DeployFiles.run(command, Map.of(), dir, 60);
  }

  private static String line(String name, String status, String reason, Double ratio, Double accuracy) {
    ObjectMapper json = new ObjectMapper();
    var o = json.createObjectNode().put("name", name).put("status", status).put("reason", reason)
        .put("sourceDigest", "ab12").put("recipeDigest", "cd34").put("version", "0.1.0-SNAPSHOT")
        .put("bytes", ratio == null ? null : 1000L).put("ratio", ratio).put("accuracy", accuracy).put("seconds", 1.5);
    return o.toString();
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** A safetensors file with one F32 tensor of 40 x 24 seeded Gaussian values. */
  private static Path tinySafetensors(Path file) throws Exception {
    int n = 40 * 24;
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[40,24],\"data_offsets\":[0," + 4 * n + "]}}";
    byte[] h = (header + " ".repeat((8 - header.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Random random = new Random(3);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) random.nextGaussian());
    }
    return Files.write(file, b.array());
  }
}
