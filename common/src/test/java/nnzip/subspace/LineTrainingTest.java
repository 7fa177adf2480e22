package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import nnzip.train.ParameterValues;
import org.junit.jupiter.api.Test;

class LineTrainingTest {
  private static SubspaceSettings settings(double cos) {
    return new SubspaceSettings(SubspaceKind.UNSTRUCTURED, cos, 0.5, 2, Double.NaN, 7, null, 1, MagnitudeScope.LAYER);
  }

  private static ParameterValues params(long seed) {
    Random r = new Random(seed);
    float[] a = new float[2 * 12 + 2];
    float[] b = new float[2 * 5 + 2];
    for (float[] v : new float[][] {a, b}) {
      for (int i = 0; i < v.length - 2; i++) {
        v[i] = (float) r.nextGaussian();
      }
    }
    return new ParameterValues(List.of("a", "b"), List.of(new long[] {a.length}, new long[] {b.length}),
        new float[][] {a, b});
  }

  @Test
  void cosSquaredGradientMatchesFiniteDifferences() {
    ParameterValues p = params(1);
    LineTraining t = new LineTraining(List.of("a", "b"), settings(0.7), 10, 0.5);
    float[][] g = {new float[26], new float[12]};
    t.addGradient(p, g);
    for (int q = 0; q < 2; q++) {
      int n = (p.values()[q].length - 2) / 2;
      for (int j = 0; j < 2 * n; j++) {
        double h = 1e-3;
        ParameterValues plus = p.copy();
        ParameterValues minus = p.copy();
        plus.values()[q][j] += (float) h;
        minus.values()[q][j] -= (float) h;
        double cp = LineTraining.cosine(plus, List.of("a", "b"));
        double cm = LineTraining.cosine(minus, List.of("a", "b"));
        double d = 0.7 * (cp * cp - cm * cm) / ((double) plus.values()[q][j] - minus.values()[q][j]);
        assertEquals(d, g[q][j], 2e-3, "parameter " + q + " element " + j);
      }
    }
  }

  @Test
  void alphaDrawsAreSeededAndHitTheEndpointsAsConfigured() {
    LineTraining t = new LineTraining(List.of("a"), settings(0), 100, 0.5);
    LineTraining same = new LineTraining(List.of("a"), settings(0), 100, 0.5);
    int ends = 0;
    int n = 20000;
    for (int s = 0; s < n; s++) {
      float a = t.alpha(1 + s / 100, s % 100);
      assertEquals(a, same.alpha(1 + s / 100, s % 100));
      assertTrue(a >= 0 && a <= 1);
      if (a == 0f || a == 1f) {
        ends++;
      }
    }
    assertEquals(0.5, (double) ends / n, 0.02);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(doubles = {1, 2.5})
  void alphaPowerDrawsTheInteriorWithTheClosedFormDistribution(double p) {
    // Interior draws (no endpoints) at power p: P(α ≤ x) = P(u ≤ x^(1/p)) = x^(1/p).
    LineTraining t = new LineTraining(List.of("a"), new SubspaceSettings(SubspaceKind.UNSTRUCTURED, 0, 0, p, 1, 2,
        Double.NaN, 7, null, 1, MagnitudeScope.LAYER), 100, 0.5);
    int n = 40000;
    double[] xs = {0.01, 0.0769, 0.25, 0.5, 0.9};
    int[] below = new int[xs.length];
    for (int s = 0; s < n; s++) {
      float a = t.alpha(1 + s / 100, s % 100);
      for (int i = 0; i < xs.length; i++) {
        if (a <= xs[i]) {
          below[i]++;
        }
      }
    }
    for (int i = 0; i < xs.length; i++) {
      double expected = Math.pow(xs[i], 1 / p);
      double sd = Math.sqrt(expected * (1 - expected) / n);
      assertEquals(expected, (double) below[i] / n, 5 * sd, "P(alpha <= " + xs[i] + ")");
    }
  }

  @Test
  void theShortConstructorIsPowerOneOnePointAndABadPowerIsRefused() {
    // The record's short constructor (the one every caller before alpha-power used) is power 1, one point.
    SubspaceSettings shortForm = settings(0);
    SubspaceSettings explicit = new SubspaceSettings(SubspaceKind.UNSTRUCTURED, 0, 0.5, 1, 1, 2, Double.NaN, 7, null,
        1, MagnitudeScope.LAYER);
    LineTraining a = new LineTraining(List.of("a"), shortForm, 100, 0.5);
    LineTraining b = new LineTraining(List.of("a"), explicit, 100, 0.5);
    assertEquals(1, a.pointsPerStep());
    for (int s = 0; s < 500; s++) {
      assertEquals(a.alpha(1, s), b.alpha(1, s));
    }
    assertThrows(IllegalArgumentException.class, () -> new SubspaceSettings(SubspaceKind.BITS, 0, 0.5, 0.5, 1, 0,
        Double.NaN, 7, null, 1, MagnitudeScope.LAYER));
    assertThrows(IllegalArgumentException.class, () -> new SubspaceSettings(SubspaceKind.BITS, 0, 0.5,
        Double.POSITIVE_INFINITY, 1, 0, Double.NaN, 7, null, 1, MagnitudeScope.LAYER));
  }

  @Test
  void theSandwichTrainsBothEndsEveryStepAndDrawsTheRestInside() {
    double p = 2;
    LineTraining t = new LineTraining(List.of("a"), new SubspaceSettings(SubspaceKind.STRUCTURED, 0, 0.5, p, 3, 0,
        Double.NaN, 7, null, 1, MagnitudeScope.LAYER), 100, 0.5);
    assertEquals(3, t.pointsPerStep());
    int n = 20000;
    int below = 0;
    java.util.Set<Float> distinct = new java.util.HashSet<>();
    for (int s = 0; s < n; s++) {
      int epoch = 1 + s / 100;
      int step = s % 100;
      assertEquals(0f, t.alpha(epoch, step, 0));
      assertEquals(1f, t.alpha(epoch, step, 1));
      float inside = t.alpha(epoch, step, 2);
      assertTrue(inside >= 0 && inside < 1);
      distinct.add(inside);
      if (inside <= 0.25) {
        below++;
      }
    }
    // The third point is u^p, not the single-point draw (which would give endpoints half the time):
    // P(α ≤ 0.25) = 0.25^(1/p), within 5 sd.
    double expected = Math.pow(0.25, 1 / p);
    assertEquals(expected, (double) below / n, 5 * Math.sqrt(expected * (1 - expected) / n));
    assertTrue(distinct.size() > n * 0.99, "the inside draws differ from step to step");
    assertThrows(IllegalArgumentException.class, () -> t.alpha(1, 0, 3));

    ParameterValues params = new ParameterValues(List.of("a"), List.of(new long[] {4}), new float[][] {{1, 2, 0, 0}});
    t.startStep(1, 5, params);
    assertEquals(0f, params.get("a")[2]);
    t.startPoint(1, 5, 1, params);
    assertEquals(1f, params.get("a")[2]);
    t.startPoint(1, 5, 2, params);
    assertEquals(t.alpha(1, 5, 2), params.get("a")[2]);
  }

  @Test
  void aFixedAlphaTrainsOnePointAndPointsOutOfRangeAreRefused() {
    SubspaceSettings sandwich = new SubspaceSettings(SubspaceKind.BITS, 0, 0.5, 1, 4, 0, Double.NaN, 7, null, 1,
        MagnitudeScope.LAYER);
    assertEquals(4, sandwich.pointsToTrain());
    assertEquals(1, sandwich.atFixedAlpha(0.3).pointsToTrain());
    assertEquals(0.3f, new LineTraining(List.of("a"), sandwich.atFixedAlpha(0.3), 10, 0.5).alpha(2, 3));
    for (int bad : new int[] {0, SubspaceSettings.MAX_POINTS_PER_STEP + 1}) {
      assertThrows(IllegalArgumentException.class, () -> new SubspaceSettings(SubspaceKind.BITS, 0, 0.5, 1, bad, 0,
          Double.NaN, 7, null, 1, MagnitudeScope.LAYER));
    }
  }

  @Test
  void lowestKeptFractionAnnealsOverTheWarmUp() {
    LineTraining t = new LineTraining(List.of("a"), settings(0), 100, 0.5);
    assertEquals(1f, t.lowest(1, 0));
    assertEquals(1 - 0.975f * 0.5f, t.lowest(2, 0), 1e-6);
    assertEquals(0.025f, t.lowest(3, 0), 1e-7);
    assertEquals(0.025f, t.lowest(5, 40), 1e-7);
  }
}
