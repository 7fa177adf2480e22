package nnzip.codec.dp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The 1M-sample data sets of the reference figures and their exact solutions, computed once per
 * test JVM and shared by the test classes (sorting 10^6 values and solving take about a second).
 */
final class Fixtures {
  static final int SAMPLES = 1_000_000;
  private static final Map<String, float[]> DATA = new ConcurrentHashMap<>();
  private static final Map<String, WeightedPoints> POINTS = new ConcurrentHashMap<>();
  private static final Map<String, OptimalLevels> EXACT = new ConcurrentHashMap<>();

  private Fixtures() {}

  /** The data set "gaussian", "student-t3" or "bimodal", 10^6 seeded samples; do not modify. */
  static float[] data(String name) {
    return DATA.computeIfAbsent(name, n -> switch (n) {
      case "gaussian" -> Samples.gaussian(SAMPLES, 1);
      case "student-t3" -> Samples.studentT3(SAMPLES, 2);
      case "bimodal" -> Samples.bimodal(SAMPLES, 3);
      default -> throw new IllegalArgumentException(n);
    });
  }

  /** The exact optimum with k levels over the raw values of {@link #data}. */
  static OptimalLevels exact(String name, int k) {
    WeightedPoints p = POINTS.computeIfAbsent(name, n -> WeightedPoints.of(data(n), SAMPLES));
    return EXACT.computeIfAbsent(name + "/" + k, key -> OptimalQuantizer1D.solve(p, k));
  }
}
