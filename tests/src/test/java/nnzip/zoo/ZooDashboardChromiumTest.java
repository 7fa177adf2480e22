package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zoo's dashboard opened from the file system in real headless Chromium (Debian's
 * {@code chromium}, installed by {@code deploy/bin/setup --test-fixtures}): the DOM Chromium builds
 * has a row per model with its plots, the last error of the failed model, and the screenshot shows
 * the plot lines drawn.
 */
class ZooDashboardChromiumTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  @TempDir Path dir;

  private static HistoryRecord ok(String run, String name, double ratio, Double accuracy) {
    return new HistoryRecord(run, "2026-12-0" + run.charAt(1) + "T03:00:00Z", name, Status.OK, "new",
        new Fingerprint("s" + run, "r", "0.1.0", "abc"), 1000L, (long) (1000 * ratio), ratio, accuracy, 2.5);
  }

  private String chromium(Path home, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--user-data-dir=" + home, "--window-size=1400,900"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(dir.resolve("chromium.err")));
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return e.toString();
    }
  }

  @Test
  void chromiumShowsEveryModelsRowPlotsAndLastError() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "chromium is installed by deploy/bin/setup --test-fixtures");
    List<HistoryRecord> history = new ArrayList<>();
    for (int run = 1; run <= 4; run++) {
      String id = "r" + run;
      history.add(ok(id, "mlp", 3.0 + run * 0.1, 0.80 + run * 0.01));
      history.add(ok(id, "lenet", 3.6 - run * 0.05, null));
      history.add(run < 3 ? ok(id, "tiny<b>", 2.0, null) : new HistoryRecord(id, "2026-12-0" + run + "T03:00:00Z",
          "tiny<b>", Status.FAILED, "no such file: /models/tiny & <gone>", null, null, null, null, null, 0.1));
    }
    Path out = Files.createDirectories(dir.resolve("zoo"));
    Dashboard.write(out.resolve("index.html"), history);
    String url = out.resolve("index.html").toUri().toString();

    String dom = chromium(dir.resolve("profile1"), "--dump-dom", url);
    for (String m : List.of("mlp", "lenet", "tiny&lt;b&gt;")) {
      assertTrue(Pattern.compile("<tr class=\"model\" data-model=\"" + Pattern.quote(m) + "\"").matcher(dom).find(),
          "row of " + m);
      assertTrue(Pattern.compile("<svg class=\"plot plot-ratio\" data-model=\"" + Pattern.quote(m) + "\"").matcher(dom)
          .find(), "ratio plot of " + m);
    }
    Matcher accuracy = Pattern.compile("<svg class=\"plot plot-accuracy\" data-model=\"([^\"]*)\" data-points=\"(\\d+)\"")
        .matcher(dom);
    assertTrue(accuracy.find());
    assertEquals("mlp", accuracy.group(1));
    assertEquals("4", accuracy.group(2), "one point per run");
    assertTrue(!accuracy.find(), "only mlp has an accuracy");
    assertEquals(4, count(dom, "<polyline"), "3 ratio plots and 1 accuracy plot");
    assertTrue(dom.contains("<td class=\"error\">no such file: /models/tiny &amp; &lt;gone&gt;</td>"),
        "the failed model's last error, escaped");
    assertTrue(dom.contains("data-status=\"failed\""));
    assertTrue(!dom.contains("<b>"), "a name is text, never markup");

    Path shot = dir.resolve("shot.png");
    chromium(dir.resolve("profile2"), "--screenshot=" + shot, url);
    BufferedImage img = ImageIO.read(shot.toFile());
    int plotBlue = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        int r = rgb >> 16;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.abs(r - 0x09) < 40 && Math.abs(g - 0x69) < 40 && Math.abs(b - 0xda) < 40) {
          plotBlue++;
        }
      }
    }
    System.out.printf("dashboard screenshot %dx%d: %d plot-line pixels%n", img.getWidth(), img.getHeight(), plotBlue);
    assertTrue(plotBlue > 200, "the plot lines are drawn: " + plotBlue + " pixels of their colour");
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
