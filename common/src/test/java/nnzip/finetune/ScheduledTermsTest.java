package nnzip.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.train.ParameterValues;
import org.junit.jupiter.api.Test;

/**
 * Pruning with DP-Net's term in its last epochs: before the first clustering epoch the gradients are
 * the pruner's alone; from it, every surviving weight's gradient gains 2λ(w − q(w)), with q from
 * 2-level 1-D k-means solved by brute force over every split of the sorted pruned weights, and the
 * pruned weights get no gradient and stay at zero.
 */
class ScheduledTermsTest {
  private static final int N = 40;
  private static final double LAMBDA = 0.05;

  private static ParameterValues params() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] w = new float[N];
    for (int i = 0; i < N; i++) {
      w[i] = (float) (rng.nextGaussian() + (i % 2 == 0 ? 2 : -1));
    }
    return new ParameterValues(List.of("w"), List.of(new long[] {N}), new float[][] {w});
  }

  private static float[][] gradients(float value) {
    float[] g = new float[N];
    Arrays.fill(g, value);
    return new float[][] {g};
  }

  @Test
  void clusteringTermJoinsInItsEpochsAndSparesThePrunedWeights() {
    int stepsPerEpoch = 2;
    int epochs = 3;
    ParameterValues p = params();
    ParameterValues alone = p.copy();
    ScheduledTerms both = new ScheduledTerms(new MagnitudePruner(List.of("w"), 0.5, true, stepsPerEpoch, epochs, 0.5),
        List.of(new ScheduledTerms.Late(new DpNetRegularizer(List.of("w"), 2, LAMBDA, stepsPerEpoch), 3)));
    MagnitudePruner reference = new MagnitudePruner(List.of("w"), 0.5, true, stepsPerEpoch, epochs, 0.5);
    for (int epoch = 1; epoch <= epochs; epoch++) {
      both.startEpoch(epoch, p);
      reference.startEpoch(epoch, alone);
      for (int step = 0; step < stepsPerEpoch; step++) {
        both.startStep(epoch, step, p);
        reference.startStep(epoch, step, alone);
        assertArrayEquals(alone.get("w"), p.get("w"), "the mask alone sets the weights");
        float[][] g = gradients(0.25f);
        float[][] ref = gradients(0.25f);
        both.addGradient(p, g);
        reference.addGradient(alone, ref);
        float[] w = p.get("w");
        if (epoch < 3) {
          assertArrayEquals(ref[0], g[0], "epoch " + epoch + ": the pruner's gradient alone");
        } else {
          double[] levels = TwoLevels.bruteForce(w);
          for (int i = 0; i < N; i++) {
            if (ref[0][i] == 0) {
              assertEquals(0f, g[0][i], "pruned weight " + i + " gets no gradient");
            } else {
              double q = TwoLevels.nearest(levels, w[i]);
              assertEquals(0.25 + 2 * LAMBDA * (w[i] - q), g[0][i], 1e-5, "weight " + i);
            }
          }
        }
        both.endStep(p);
        reference.endStep(alone);
      }
    }
    long zeros = 0;
    for (float x : p.get("w")) {
      zeros += x == 0 ? 1 : 0;
    }
    assertEquals(N / 2, zeros);
  }

  @Test
  void quantizationAwareEpochsRunOnTheLevelsOfThePrunedWeightsAndLeaveTheMaskAlone() {
    int stepsPerEpoch = 2;
    int epochs = 3;
    ParameterValues p = params();
    ParameterValues alone = p.copy();
    ScheduledTerms both = new ScheduledTerms(new MagnitudePruner(List.of("w"), 0.5, true, stepsPerEpoch, epochs, 0.5),
        List.of(new ScheduledTerms.Late(new StraightThroughQuantizer(List.of("w"), null, 2, stepsPerEpoch), 2)));
    MagnitudePruner reference = new MagnitudePruner(List.of("w"), 0.5, true, stepsPerEpoch, epochs, 0.5);
    for (int epoch = 1; epoch <= epochs; epoch++) {
      both.startEpoch(epoch, p);
      reference.startEpoch(epoch, alone);
      double[] levels = null;
      if (epoch >= 2) {
        reference.startStep(epoch, 0, alone); // the levels come from the weights as masked for the first step
        levels = TwoLevels.bruteForce(alone.get("w"));
      }
      for (int step = 0; step < stepsPerEpoch; step++) {
        both.startStep(epoch, step, p);
        reference.startStep(epoch, step, alone);
        float[] w = p.get("w");
        for (int i = 0; i < N; i++) {
          double expected = levels == null ? alone.get("w")[i] : TwoLevels.nearest(levels, alone.get("w")[i]);
          assertEquals(expected, w[i], 1e-5, "epoch " + epoch + " step " + step + " weight " + i);
        }
        float[][] g = gradients(0.25f);
        float[][] ref = gradients(0.25f);
        both.addGradient(p, g);
        reference.addGradient(alone, ref);
        assertArrayEquals(alone.get("w"), p.get("w"), "the pruned full-precision weights are back");
        if (levels == null) {
          assertSame(p, both.forValidation(p), "before its epochs the quantizer leaves validation alone");
        }
        assertArrayEquals(ref[0], g[0], "the pruner's gradient, straight through the levels");
        for (int i = 0; i < N; i++) {
          p.get("w")[i] -= g[0][i];
          alone.get("w")[i] -= ref[0][i];
        }
        both.endStep(p);
        reference.endStep(alone);
        assertArrayEquals(alone.get("w"), p.get("w"));
      }
    }
  }
}
