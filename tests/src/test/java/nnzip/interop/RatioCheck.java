package nnzip.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks {@code compress --json}'s ratio against file sizes measured here. */
final class RatioCheck {
  private RatioCheck() {}

  /** Asserts the report's ratio, sourceBytes and artifactBytes against the files; returns the measured ratio. */
  static double assertRatio(Path original, Path artifact, JsonNode report, String what) throws IOException {
    long src = Files.size(original);
    long art = Files.size(artifact);
    double expected = (double) src / art;
    double reported = report.get("ratio").asDouble();
    System.out.printf("[interop] %s: %d -> %d bytes, ratio %.4f (reported %.4f)%n", what, src, art, expected, reported);
    assertEquals(src, report.get("sourceBytes").asLong(), what + ": sourceBytes");
    assertEquals(art, report.get("artifactBytes").asLong(), what + ": artifactBytes");
    assertEquals(expected, reported, 1e-9 * expected, what + ": ratio = original file bytes / artifact file bytes");
    return expected;
  }
}
