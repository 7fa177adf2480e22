package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OptimalQuantizer1DTest {

  @Test
  void matchesBruteForceOverEveryContiguousPartitionOfSmallInputs() {
    SplittableRandom r = new SplittableRandom(42);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + trial % 12;
      double[] v = new double[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = trial % 3 == 0 ? r.nextInt(5) : r.nextGaussian(); // some trials with duplicates
        w[i] = trial % 2 == 0 ? 1 : 1 + r.nextInt(9);
      }
      WeightedPoints p = WeightedPoints.of(v, w, 0);
      for (int k = 1; k <= 4; k++) {
        double brute = Reference.bruteForce(p, k);
        OptimalLevels dp = OptimalQuantizer1D.solve(p, k);
        assertEquals(brute, dp.sse(), 1e-12 * Math.max(1, brute), "n=" + p.size() + " k=" + k);
        assertEquals(Math.min(k, p.size()), dp.levels().length);
      }
    }
  }

  @Test
  void matchesPlainQuadraticDpOnEveryDistribution() {
    float[][] inputs = {
      Samples.gaussian(2000, 11), Samples.studentT3(2000, 12), Samples.bimodal(2000, 13),
      Samples.duplicateHeavy(2000, 40, 14), Samples.duplicateHeavy(2000, 3, 15)
    };
    for (float[] x : inputs) {
      WeightedPoints p = WeightedPoints.of(x, x.length);
      for (int k : new int[] {2, 3, 7, 16, 64, 300}) {
        OptimalLevels dp = OptimalQuantizer1D.solve(p, k);
        if (k >= p.size()) {
          assertEquals(0, dp.sse(), 0);
          assertEquals(p.size(), dp.levels().length);
          continue;
        }
        int[] ref = Reference.plainDp(p, k);
        double refSse = Reference.twoPassSse(p, ref);
        assertEquals(refSse, dp.sse(), 1e-9 * refSse, "k=" + k + " on " + p.size() + " points");
        if (!Arrays.equals(ref, dp.boundaries())) {
          // Only an exact tie may pick other boundaries.
          assertEquals(refSse, Reference.twoPassSse(p, dp.boundaries()), 1e-13 * refSse, "k=" + k);
        }
      }
    }
  }

  @Test
  void hasFewerLevelsOnlyWhenThereAreFewerDistinctValues() {
    WeightedPoints p = WeightedPoints.of(Samples.duplicateHeavy(1000, 5, 3), 1000);
    assertEquals(5, p.size());
    OptimalLevels all = OptimalQuantizer1D.solve(p, 9);
    assertArrayEquals(p.values(), all.levels());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, all.boundaries());
    assertEquals(0, all.sse());
    assertEquals(1000, all.weight());
    assertEquals(4, OptimalQuantizer1D.solve(p, 4).levels().length);
  }

  @Test
  void addsTheConstantWithinBinErrorWhenEveryPointIsItsOwnLevel() {
    WeightedPoints p = WeightedPoints.of(new double[] {1, 2, 3}, new double[] {4, 5, 6}, 0.75);
    assertEquals(0.75, OptimalQuantizer1D.solve(p, 3).sse());
    // Best pair to merge: 1 (weight 4) with 2 (weight 5), costing 4·5/(4+5)·1².
    assertEquals(0.75 + 20.0 / 9, OptimalQuantizer1D.solve(p, 2).sse(), 1e-12);
  }

  @Test
  void checkpointedBacktrackingGivesTheFullTableResult() {
    float[] x = Samples.studentT3(3000, 21);
    WeightedPoints p = WeightedPoints.of(x, x.length);
    for (int k : new int[] {2, 3, 10, 17, 64, 99, 2999}) {
      OptimalLevels full = OptimalQuantizer1D.solve(p, k, Long.MAX_VALUE);
      assertEquals(full, OptimalQuantizer1D.solve(p, k, 0), "k=" + k);
      assertEquals(full, OptimalQuantizer1D.solve(p, k, (long) k * 100), "k=" + k);
    }
  }

  @Test
  void staysExactWithNearlyAsManyLevelsAsPoints() {
    // Plain double prefix sums fail here: their rounding error (an ulp of the sum over all 60k
    // points) exceeds the whole optimal SSE, and the DP came out 10^3..10^6 times too large.
    float[] x = Samples.gaussian(60_000, 31);
    WeightedPoints p = WeightedPoints.of(x, x.length);
    for (int gap : new int[] {1, 3, 20}) {
      int k = p.size() - gap;
      double exact = Reference.bandedWelford(p, k);
      assertEquals(exact, OptimalQuantizer1D.solve(p, k).sse(), 1e-9 * exact, "k = n − " + gap);
    }
  }

  @Test
  void givesTheLloydMaxErrorsOnAMillionGaussianSamples() {
    double var = Samples.variance(Fixtures.data("gaussian"));
    double k4 = Fixtures.exact("gaussian", 4).mse() / var;
    double k16 = Fixtures.exact("gaussian", 16).mse() / var;
    System.out.printf("N(0,1), 1M samples: relative MSE k=4 %.5f (Lloyd–Max 0.11753), k=16 %.5f%n",
        k4, k16);
    assertEquals(0.1175, k4, 0.005 * 0.1175);
    assertEquals(0.0095, k16, 0.03 * 0.0095);
  }

  @Test
  void beatsLloydKMeansOnHeavyTails() {
    float[] x = Fixtures.data("student-t3");
    double var = Samples.variance(x);
    double dp = Fixtures.exact("student-t3", 16).mse() / var;
    double lloyd = Reference.lloydMse(x, 16, 100, 5) / var;
    System.out.printf("Student-t(3), 1M samples, k=16: relative MSE DP %.5f, Lloyd k-means++ %.5f%n",
        dp, lloyd);
    assertTrue(dp < lloyd, dp + " vs " + lloyd);
  }

  @Test
  void errorFallsAsLevelsAreAdded() {
    float[] x = Samples.bimodal(5000, 8);
    WeightedPoints p = WeightedPoints.of(x, x.length);
    double previous = Double.POSITIVE_INFINITY;
    for (int k = 1; k <= 64; k *= 2) {
      double sse = OptimalQuantizer1D.solve(p, k).sse();
      assertTrue(sse < previous, "k=" + k);
      previous = sse;
    }
  }

  @Test
  void levelsAreAscendingClusterMeansAndDeterministic() {
    float[] x = Samples.studentT3(5000, 9);
    WeightedPoints p = WeightedPoints.of(x, x.length);
    OptimalLevels a = OptimalQuantizer1D.solve(p, 12);
    assertEquals(a, OptimalQuantizer1D.solve(WeightedPoints.of(x.clone(), x.length), 12));
    double[] levels = a.levels();
    int[] b = a.boundaries();
    for (int c = 0; c < levels.length; c++) {
      assertTrue(c == 0 || levels[c] > levels[c - 1]);
      int to = c + 1 < b.length ? b[c + 1] : p.size();
      double s = 0;
      double w = 0;
      for (int i = b[c]; i < to; i++) {
        s += p.weight(i) * p.value(i);
        w += p.weight(i);
      }
      assertEquals(s / w, levels[c], 1e-12 * Math.max(1, Math.abs(levels[c])));
    }
  }

  @Test
  void handlesAllEqualTwoDistinctAndEmptyInputs() {
    OptimalLevels equal = OptimalQuantizer1D.solve(WeightedPoints.of(new float[] {2.5f, 2.5f, 2.5f}, 3), 4);
    assertArrayEquals(new double[] {2.5}, equal.levels());
    assertEquals(0, equal.sse());

    OptimalLevels two = OptimalQuantizer1D.solve(WeightedPoints.of(new float[] {-1, 3, 3, -1, 3}, 5), 1);
    assertArrayEquals(new double[] {1.4}, two.levels(), 1e-15);
    assertEquals(2 * 2.4 * 2.4 + 3 * 1.6 * 1.6, two.sse(), 1e-12);
    OptimalLevels twoLevels =
        OptimalQuantizer1D.solve(WeightedPoints.of(new float[] {-1, 3, 3, -1, 3}, 5), 2);
    assertArrayEquals(new double[] {-1, 3}, twoLevels.levels());
    assertEquals(0, twoLevels.sse());

    OptimalLevels empty = OptimalQuantizer1D.solve(WeightedPoints.of(new float[0], 0), 16);
    assertEquals(0, empty.levels().length);
    assertEquals(0, empty.mse());
    assertThrows(IllegalStateException.class, empty::codebook);
  }

  @Test
  void rejectsLevelCountsOutsideOneTo65536() {
    WeightedPoints p = WeightedPoints.of(new float[] {1, 2}, 2);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OptimalQuantizer1D.solve(p, 0));
    assertTrue(e.getMessage().contains("1..65536"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OptimalQuantizer1D.solve(p, 65_537));
    assertEquals(2, OptimalQuantizer1D.solve(p, 65_536).levels().length);
  }
}
