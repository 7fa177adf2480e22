package nnzip.zoo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The zoo's {@code index.html}: one self-contained page (inline CSS and SVG, no script, nothing
 * fetched) with a row per model: its last outcome, its compression ratio and test accuracy over the
 * runs of the history as small line plots, and the last error of a model whose last run failed.
 */
public final class Dashboard {
  private static final int W = 260;
  private static final int H = 64;
  private static final int PAD = 6;

  private Dashboard() {}

  /** Writes the page for {@code records} to {@code file} through a temporary file and a rename. */
  public static void write(Path file, List<HistoryRecord> records) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, html(records), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The page for a history. */
  public static String html(List<HistoryRecord> records) {
    Map<String, List<HistoryRecord>> byModel = new LinkedHashMap<>();
    records.forEach(r -> byModel.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r));
    long runs = records.stream().map(HistoryRecord::runId).distinct().count();
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nnzip model zoo</title>\n<style>")
        .append("body{font:14px sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
        .append("td,th{border-bottom:1px solid #ddd;padding:6px 10px;text-align:left;vertical-align:middle}")
        .append(".ok{color:#1a7f37}.skipped{color:#57606a}.failed{color:#cf222e;font-weight:bold}")
        .append(".error{color:#cf222e;font-family:monospace;max-width:360px}svg{background:#f6f8fa}")
        .append("</style></head><body>\n<h1>nnzip model zoo</h1>\n<p id=\"summary\">")
        .append(byModel.size()).append(" models, ").append(runs).append(" runs, ").append(records.size())
        .append(" history lines; last line ").append(records.isEmpty() ? "none" : esc(records.get(records.size() - 1).time()))
        .append(".</p>\n<table id=\"models\"><thead><tr><th>model</th><th>last status</th><th>ratio</th>")
        .append("<th>accuracy</th><th>artifact bytes</th><th>ratio over runs</th><th>accuracy over runs</th>")
        .append("<th>last error</th></tr></thead><tbody>\n");
    for (Map.Entry<String, List<HistoryRecord>> e : byModel.entrySet()) {
      List<HistoryRecord> rs = e.getValue();
      HistoryRecord last = rs.get(rs.size() - 1);
      String name = esc(e.getKey());
      sb.append("<tr class=\"model\" data-model=\"").append(name).append("\" data-status=\"")
          .append(last.status().label()).append("\"><td class=\"name\">").append(name).append("</td><td class=\"")
          .append(last.status().label()).append("\">").append(last.status().label())
          .append(last.status() == Status.FAILED ? "" : " (" + esc(last.reason()) + ")").append("</td><td>")
          .append(last.ratio() == null ? "" : String.format(Locale.ROOT, "%.2fx", last.ratio())).append("</td><td>")
          .append(last.accuracy() == null ? "" : String.format(Locale.ROOT, "%.2f%%", 100 * last.accuracy()))
          .append("</td><td>").append(last.bytes() == null ? "" : last.bytes()).append("</td><td>")
          .append(plot("ratio", e.getKey(), rs, HistoryRecord::ratio, "%.2fx", 1)).append("</td><td>")
          .append(plot("accuracy", e.getKey(), rs, HistoryRecord::accuracy, "%.2f%%", 100)).append("</td><td class=\"error\">")
          .append(last.status() == Status.FAILED ? esc(last.reason()) : "").append("</td></tr>\n");
    }
    sb.append("</tbody></table>\n</body></html>\n");
    return sb.toString();
  }

  /** A line plot of one figure over a model's runs (an empty cell when no run has it). */
  private static String plot(String what, String model, List<HistoryRecord> rs, Function<HistoryRecord, Double> value,
      String format, double scale) {
    List<Double> ys = new ArrayList<>();
    List<String> when = new ArrayList<>();
    for (HistoryRecord r : rs) {
      if (value.apply(r) != null) {
        ys.add(value.apply(r));
        when.add(r.time());
      }
    }
    if (ys.isEmpty()) {
      return "";
    }
    double lo = ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double hi = ys.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    double span = hi > lo ? hi - lo : 1;
    StringBuilder pts = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (int i = 0; i < ys.size(); i++) {
      double x = ys.size() == 1 ? W / 2.0 : PAD + (W - 2.0 * PAD) * i / (ys.size() - 1);
      double y = hi > lo ? H - PAD - (H - 2.0 * PAD) * (ys.get(i) - lo) / span : H / 2.0;
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>%s: %s</title></circle>",
          x, y, esc(when.get(i)), String.format(Locale.ROOT, format, scale * ys.get(i))));
    }
    return String.format(Locale.ROOT, "<svg class=\"plot plot-%s\" data-model=\"%s\" data-points=\"%d\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s of %s over %d runs\">"
        + "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"%s\"/>%s"
        + "<text x=\"2\" y=\"11\" font-size=\"10\">%s</text><text x=\"2\" y=\"%d\" font-size=\"10\">%s</text></svg>",
        what, esc(model), ys.size(), W, H, W, H, what, esc(model), ys.size(), pts.toString().trim(), dots,
        String.format(Locale.ROOT, format, scale * hi), H - 2, String.format(Locale.ROOT, format, scale * lo));
  }

  /** HTML-escapes text for element content and quoted attributes (the bench reports use it too). */
  public static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
