package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnzip.it.HeadlessChromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zoo's dashboard opened from the file system in real headless Chromium (Debian's
 * {@code chromium}, installed by {@code deploy/bin/setup --test-fixtures}): the DOM Chromium builds
 * has a row per model with its plots, the last error of the failed model, and the screenshot shows
 * the plot lines drawn.
 */
class ZooDashboardChromiumTest {
  @TempDir Path dir;

  private static HistoryRecord ok(String run, String name, double ratio, Double accuracy) {
    return new HistoryRecord(run, "2026-12-0" + run.charAt(1) + "T03:00:00Z", name, Status.OK, "new",
        new Fingerprint("s" + run, "r", "0.1.0", "abc"), 1000L, (long) (1000 * ratio), ratio, accuracy, 2.5);
  }

  @Test
  void chromiumShowsEveryModelsRowPlotsAndLastError() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "chromium is installed by deploy/bin/setup --test-fixtures");
    HeadlessChromium chromium = new HeadlessChromium(dir);
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
    String dom = chromium.dom(out.resolve("index.html"));
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
    assertEquals(4, HeadlessChromium.occurrences(dom, "<polyline"), "3 ratio plots and 1 accuracy plot");
    assertTrue(dom.contains("<td class=\"error\">no such file: /models/tiny &amp; &lt;gone&gt;</td>"),
        "the failed model's last error, escaped");
    assertTrue(dom.contains("data-status=\"failed\""));
    assertTrue(!dom.contains("<b>"), "a name is text, never markup");

    BufferedImage img = chromium.screenshot(out.resolve("index.html"));
    int plotBlue = HeadlessChromium.pixels(img, 0x0969da, 40);
    System.out.printf("dashboard screenshot %dx%d: %d plot-line pixels%n", img.getWidth(), img.getHeight(), plotBlue);
    assertTrue(plotBlue > 200, "the plot lines are drawn: " + plotBlue + " pixels of their colour");
  }
}
