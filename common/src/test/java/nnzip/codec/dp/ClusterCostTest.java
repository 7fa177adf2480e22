package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClusterCostTest {

  /** Two-pass SSE of points from ..= to. */
  private static double direct(WeightedPoints p, int from, int to) {
    double w = 0;
    double s = 0;
    for (int i = from; i <= to; i++) {
      w += p.weight(i);
      s += p.weight(i) * p.value(i);
    }
    double mean = s / w;
    double e = 0;
    for (int i = from; i <= to; i++) {
      e += p.weight(i) * (p.value(i) - mean) * (p.value(i) - mean);
    }
    return e;
  }

  @Test
  void agreesWithTwoPassSumsOnLongAndShortRunsOfOffsetData() {
    float[] x = Samples.gaussian(300_000, 61);
    for (int i = 0; i < x.length; i++) {
      x[i] = 100 + x[i];
    }
    WeightedPoints p = WeightedPoints.of(x, x.length);
    ClusterCost cost = new ClusterCost(p);
    SplittableRandom r = new SplittableRandom(62);
    double worstLong = 0;
    double worstShort = 0;
    for (int trial = 0; trial < 4000; trial++) {
      boolean shortRun = trial % 2 == 0;
      int length = shortRun ? 2 + r.nextInt(1000) : 1001 + r.nextInt(p.size() - 1001);
      int from = r.nextInt(p.size() - length + 1);
      double exact = direct(p, from, from + length - 1);
      double error = Math.abs(cost.sse(from, from + length - 1) - exact) / exact;
      if (shortRun) {
        worstShort = Math.max(worstShort, error);
      } else {
        worstLong = Math.max(worstLong, error);
      }
    }
    assertTrue(worstLong < 1e-9, "long runs: " + worstLong);
    assertTrue(worstShort < 1e-3, "short runs: " + worstShort);
  }

  @Test
  void givesZeroForASinglePointAndTheVarianceForAll() {
    WeightedPoints p = WeightedPoints.of(new double[] {1, 2, 4}, new double[] {1, 2, 1}, 0);
    ClusterCost cost = new ClusterCost(p);
    assertEquals(0, cost.sse(1, 1));
    assertEquals(direct(p, 0, 2), cost.sse(0, 2), 1e-12);
  }
}
