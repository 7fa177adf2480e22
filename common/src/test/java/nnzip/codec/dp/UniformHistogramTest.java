package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UniformHistogramTest {

  private static UniformHistogram over(float[] x, int bins) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    UniformHistogram h = new UniformHistogram(min, max, bins);
    h.add(x, x.length);
    return h;
  }

  @Test
  void mergingInAnyOrderGivesIdenticalHistograms() {
    float[] x = Samples.gaussian(40_000, 51);
    UniformHistogram[] parts = new UniformHistogram[4];
    for (int p = 0; p < parts.length; p++) {
      parts[p] = new UniformHistogram(-5, 5, 1000);
      float[] chunk = Arrays.copyOfRange(x, p * 10_000, (p + 1) * 10_000);
      parts[p].add(chunk, chunk.length);
    }
    UniformHistogram whole = new UniformHistogram(-5, 5, 1000);
    whole.add(x, x.length);
    assertEquals(whole, parts[0].merge(parts[1]).merge(parts[2]).merge(parts[3]));
    assertEquals(whole, parts[3].merge(parts[1].merge(parts[0])).merge(parts[2]));
    assertEquals(40_000, whole.count());
    assertThrows(IllegalArgumentException.class, () -> whole.merge(new UniformHistogram(-5, 5, 999)));
  }

  @Test
  void keepsTheTotalErrorOfTheValues() {
    float[] x = Samples.bimodal(20_000, 52);
    UniformHistogram h = over(x, 500);
    double total = Samples.variance(x) * x.length;
    assertEquals(total, OptimalQuantizer1D.solve(h.toPoints(), 1).sse(), 1e-6 * total);
    WeightedPoints p = h.toPoints();
    assertEquals(h.nonEmptyBins(), p.size());
    assertTrue(p.constantSse() > 0 && p.constantSse() < total / 1000);
  }

  @Test
  void isWithinATenthOfAPercentOnLightTailsButLeavesHeavyTailBinsEmpty() {
    for (String name : new String[] {"gaussian", "student-t3", "bimodal"}) {
      UniformHistogram h = over(Fixtures.data(name), UniformHistogram.DEFAULT_BINS);
      double exact = Fixtures.exact(name, 16).sse();
      double binned = OptimalQuantizer1D.solve(h.toPoints(), 16).sse();
      System.out.printf("%s k=16: %d of 65536 equal-width bins filled, SSE %+.5f%% vs exact%n", name,
          h.nonEmptyBins(), 100 * (binned / exact - 1));
      assertTrue(binned <= exact * 1.001, name);
      if (name.equals("student-t3")) {
        assertTrue(h.nonEmptyBins() < UniformHistogram.DEFAULT_BINS / 5, "filled " + h.nonEmptyBins());
      }
    }
  }

  @Test
  void putsEverythingInOneBinWhenTheRangeIsAPoint() {
    UniformHistogram h = new UniformHistogram(1.5, 1.5, 16);
    h.add(new float[] {1.5f, 1.5f}, 2);
    WeightedPoints p = h.toPoints();
    assertEquals(1, p.size());
    assertEquals(1.5, p.value(0));
    assertEquals(2, p.weight(0));
  }

  @Test
  void rejectsValuesOutsideTheRangeAndBadRanges() {
    UniformHistogram h = new UniformHistogram(-1, 1, 8);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> h.add(new float[] {0, 2}, 2));
    assertTrue(e.getMessage().contains("value 1 = 2.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> h.add(new float[] {Float.NaN}, 1));
    assertThrows(IllegalArgumentException.class, () -> new UniformHistogram(1, -1, 8));
    assertThrows(IllegalArgumentException.class, () -> new UniformHistogram(0, Double.POSITIVE_INFINITY, 8));
    assertThrows(IllegalArgumentException.class, () -> new UniformHistogram(0, 1, 0));
  }
}
