package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Per-α statistics: the grid, the anchors' weights, and interpolation against a direct computation. */
class NormLineTest {
  private static NormLine line(int k, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, float[][]> s = new LinkedHashMap<>();
    for (String key : new String[] {"bn1.mean", "bn1.var", "bn2.mean"}) {
      float[][] v = new float[k][7];
      for (float[] a : v) {
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) (r.nextGaussian() * 3);
        }
      }
      s.put(key, v);
    }
    return new NormLine(NormLine.grid(k), s);
  }

  @Test
  void gridRunsEvenlyFromZeroToOne() {
    assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f}, NormLine.grid(5));
    assertArrayEquals(new float[] {0f, 1f}, NormLine.grid(2));
    assertEquals(0, NormLine.grid(1).length);
    assertEquals(NormLine.NONE, NormLine.start(1, Map.of("a", new float[] {1}), Map.of("a", new float[] {2})));
  }

  @Test
  void anAnchorsOwnPointReadsItsStatisticsExactly() {
    NormLine n = line(5, 3);
    for (int j = 0; j < 5; j++) {
      Map<String, float[]> at = n.at(n.alphas()[j]);
      for (String k : n.statistics().keySet()) {
        assertArrayEquals(n.statistics().get(k)[j], at.get(k), k + " at anchor " + j);
      }
      float[] w = n.weights(n.alphas()[j]);
      for (int i = 0; i < w.length; i++) {
        assertEquals(i == j ? 1f : 0f, w[i]);
      }
    }
  }

  @Test
  void pointsBetweenAnchorsInterpolateTheTwoAroundThem() {
    for (int k : new int[] {2, 3, 5, 9}) {
      NormLine n = line(k, k);
      SplittableRandom r = new SplittableRandom(17);
      for (int t = 0; t < 20; t++) {
        double a = r.nextDouble();
        // Directly: the segment [j/(k-1), (j+1)/(k-1)] holding a, weights by distance, in double.
        int j = Math.min(k - 2, (int) Math.floor(a * (k - 1)));
        double lo = (double) j / (k - 1);
        double hi = (double) (j + 1) / (k - 1);
        double right = (a - lo) / (hi - lo);
        Map<String, float[]> at = n.at((float) a);
        for (String key : n.statistics().keySet()) {
          float[][] s = n.statistics().get(key);
          for (int i = 0; i < 7; i++) {
            double expected = (1 - right) * s[j][i] + right * s[j + 1][i];
            assertEquals(expected, at.get(key)[i], 1e-5 * (1 + Math.abs(expected)), key + " at alpha " + a);
          }
        }
      }
    }
  }

  @Test
  void startInterpolatesTheEndpointsStatistics() {
    NormLine n = NormLine.start(3, Map.of("m", new float[] {0f, 4f}), Map.of("m", new float[] {2f, 8f}));
    assertArrayEquals(new float[] {0f, 4f}, n.statistics().get("m")[0]);
    assertArrayEquals(new float[] {1f, 6f}, n.statistics().get("m")[1]);
    assertArrayEquals(new float[] {2f, 8f}, n.statistics().get("m")[2]);
    assertEquals(n, n.withAnchors(n.anchors()));
  }

  @Test
  void malformedAnchorsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new NormLine(new float[] {0f, 0.5f}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> new NormLine(new float[] {0f, 0.7f, 0.5f, 1f}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> new NormLine(new float[] {0f, 1f},
        Map.of("m", new float[][] {{1f}})));
    assertThrows(IllegalArgumentException.class, () -> line(3, 1).weights(1.5f));
  }
}
