package nnzip.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import nnzip.train.ParameterValues;
import org.junit.jupiter.api.Test;

/**
 * DP-Net's regularizer: its gradient is the derivative of its value with the levels held fixed
 * (central differences away from decision boundaries), the levels are the exact optimum (the
 * value equals λ times the brute-force best 2-level SSE), and gradient steps pull weights onto levels.
 */
class DpNetRegularizerTest {
  private static ParameterValues params(float[] w, float[] other) {
    return new ParameterValues(List.of("w", "b"), List.of(new long[] {w.length}, new long[] {other.length}),
        new float[][] {w, other});
  }

  @Test
  void valueIsLambdaTimesTheOptimalTwoLevelErrorByBruteForce() {
    float[] w = {-1.0f, -0.9f, -0.2f, 0.1f, 0.3f, 1.2f, 1.4f};
    DpNetRegularizer r = new DpNetRegularizer(List.of("w"), 2, 0.5, 1);
    ParameterValues p = params(w, new float[] {9f});
    r.startStep(1, 0, p);
    float[] sorted = w.clone();
    java.util.Arrays.sort(sorted);
    double best = Double.POSITIVE_INFINITY;
    for (int split = 1; split < sorted.length; split++) {
      best = Math.min(best, sse(sorted, 0, split) + sse(sorted, split, sorted.length));
    }
    assertEquals(0.5 * best, r.value(p), 1e-6);
  }

  private static double sse(float[] v, int from, int to) {
    double mean = 0;
    for (int i = from; i < to; i++) {
      mean += v[i];
    }
    mean /= to - from;
    double s = 0;
    for (int i = from; i < to; i++) {
      s += (v[i] - mean) * (v[i] - mean);
    }
    return s;
  }

  @Test
  void gradientMatchesFiniteDifferencesAndLeavesOtherParametersAlone() {
    SplittableRandom rng = new SplittableRandom(2);
    float[] w = new float[50];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rng.nextGaussian();
    }
    DpNetRegularizer r = new DpNetRegularizer(List.of("w"), 4, 0.3, 1);
    ParameterValues p = params(w, new float[] {1f, 2f});
    r.startStep(1, 0, p);
    float[][] g = {new float[w.length], new float[2]};
    r.addGradient(p, g);
    assertEquals(0f, g[1][0]);
    assertEquals(0f, g[1][1]);
    for (int i = 0; i < w.length; i++) {
      float h = 1e-4f;
      float[] up = w.clone();
      float[] down = w.clone();
      up[i] += h;
      down[i] -= h;
      double fd = (r.value(params(up, new float[2])) - r.value(params(down, new float[2]))) / (up[i] - down[i]);
      assertEquals(fd, g[0][i], 1e-3, "weight " + i);
    }
  }

  @Test
  void gradientStepsPullWeightsOntoTheirLevels() {
    SplittableRandom rng = new SplittableRandom(4);
    float[] w = new float[200];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rng.nextGaussian();
    }
    DpNetRegularizer r = new DpNetRegularizer(List.of("w"), 4, 1.0, 1);
    ParameterValues p = params(w, new float[1]);
    r.startStep(1, 0, p);
    double before = r.value(p);
    for (int step = 0; step < 10; step++) {
      float[][] g = {new float[w.length], new float[1]};
      r.addGradient(p, g);
      for (int i = 0; i < w.length; i++) {
        w[i] -= 0.1f * g[0][i];
      }
    }
    assertTrue(r.value(p) < 0.2 * before, before + " -> " + r.value(p));
  }
}
