package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnzip.bench.SubspaceBenchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench subspace}'s HTML report opened in real headless Chromium: per kind, both curves (line
 * and individual models) with a dot per budget placed by accuracy, the table of both accuracies and
 * their difference, the line's settings; names from the user's files are text, never markup; the
 * screenshot shows both curves' colours.
 */
class SubspaceReportChromiumTest {
  @TempDir Path dir;

  private static List<Map<String, Object>> rows(double[] accuracies) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < accuracies.length; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("alpha", i / 4.0);
      row.put("testAccuracy", accuracies[i]);
      rows.add(row);
    }
    return rows;
  }

  private static Map<String, Object> kind(double[] line, double[] individual, String settings) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("optimizer", "Optimizer[kind=ADAM, learningRate=5.0E-4]");
    r.put("settings", settings);
    r.put("line", rows(line));
    r.put("individual", rows(individual));
    r.put("lineArtifactBytes", 548_574L);
    r.put("oneModelCompressedBytes", 435_033L);
    r.put("lineOverOneModel", 548_574.0 / 435_033);
    return r;
  }

  @Test
  void chromiumShowsBothCurvesTheTableAndTheSettingsOfEachKind() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "chromium is installed by deploy/bin/setup --test-fixtures");
    double[] line = {0.8432, 0.8661, 0.8924, 0.9024, 0.9082};
    double[] individual = {0.8480, 0.8812, 0.8993, 0.9056, 0.9096};
    double[] bitsLine = {0.8944, 0.9009, 0.9041, 0.9033, 0.9055};
    double[] bitsIndividual = {0.9026, 0.9046, 0.9051, 0.9053, 0.9050};
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("arch", "lenet<b>.onnx");
    report.put("epochs", 4);
    report.put("data", "fashion-mnist & more");
    report.put("init", "trained model lenet<b>.onnx");
    report.put("structured", kind(line, individual, "SubspaceSettings[kind=STRUCTURED, pointsPerStep=3]"));
    Map<String, Object> bits = kind(bitsLine, bitsIndividual, "SubspaceSettings[kind=BITS, pointsPerStep=1]");
    bits.put("fourBitMinusEightBitPp", -0.46);
    report.put("bits", bits);
    Path page = dir.resolve("bench-subspace.html");
    Files.writeString(page, SubspaceBenchmark.html(report));

    HeadlessChromium chromium = new HeadlessChromium(dir);
    String dom = chromium.dom(page);
    assertEquals(4, HeadlessChromium.occurrences(dom, "<polyline"), "two curves per kind");
    assertEquals(20, HeadlessChromium.occurrences(dom, "<circle"), "a dot per budget per curve");
    assertFalse(dom.contains("<b>"), "a file name is text, never markup");
    assertTrue(dom.contains("lenet&lt;b&gt;.onnx") && dom.contains("fashion-mnist &amp; more"));
    assertTrue(dom.contains("SubspaceSettings[kind=STRUCTURED, pointsPerStep=3]"));
    assertTrue(dom.contains("4 bits against 8 bits: -0.46 pp"));
    for (double[][] curves : List.of(new double[][] {line, individual}, new double[][] {bitsLine, bitsIndividual})) {
      for (int i = 0; i < 5; i++) {
        String row = String.format("<tr><td>%.3f</td><td>%.2f%%</td><td>%.2f%%</td><td>%+.2f pp</td></tr>", i / 4.0,
            100 * curves[0][i], 100 * curves[1][i], 100 * (curves[0][i] - curves[1][i]));
        assertTrue(dom.contains(row), "table row " + row);
      }
    }
    // Within each curve a higher accuracy is drawn higher (smaller y), the dots in budget order.
    Matcher dots = Pattern.compile("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"").matcher(dom);
    List<double[]> xy = new ArrayList<>();
    while (dots.find()) {
      xy.add(new double[] {Double.parseDouble(dots.group(1)), Double.parseDouble(dots.group(2))});
    }
    assertEquals(20, xy.size());
    double[][] byCurve = {line, individual, bitsLine, bitsIndividual};
    for (int c = 0; c < 4; c++) {
      for (int i = 0; i + 1 < 5; i++) {
        double[] a = xy.get(5 * c + i);
        double[] b = xy.get(5 * c + i + 1);
        assertTrue(b[0] > a[0], "budgets left to right");
        assertEquals(Double.compare(byCurve[c][i + 1], byCurve[c][i]), Double.compare(a[1], b[1]),
            "curve " + c + " dots " + i + ", " + (i + 1));
      }
    }

    // Tall enough for both kinds' plots; a curve across a 480-pixel plot with five dots covers well over
    // 100 pixels of its colour, so each colour shows at least 100 per plot.
    BufferedImage img = chromium.screenshot(page, 1000, 1800);
    int blue = HeadlessChromium.pixels(img, 0x1f77b4, 30);
    int orange = HeadlessChromium.pixels(img, 0xff7f0e, 30);
    System.out.printf("subspace report screenshot: %d line pixels, %d individual pixels%n", blue, orange);
    assertTrue(blue > 2 * 100 && orange > 2 * 100, "both curves of both kinds are drawn: " + blue + " and " + orange
        + " pixels");
  }
}
