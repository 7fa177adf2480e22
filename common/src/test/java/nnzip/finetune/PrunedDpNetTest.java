package nnzip.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
class PrunedDpNetTest {
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

  /** The 2 levels minimizing the squared error: the best split of the sorted values, by brute force. */
  private static double[] bruteForceLevels(float[] w) {
    double[] v = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      v[i] = w[i];
    }
    Arrays.sort(v);
    double best = Double.MAX_VALUE;
    double[] levels = null;
    for (int cut = 1; cut < v.length; cut++) {
      double a = Arrays.stream(v, 0, cut).average().orElseThrow();
      double b = Arrays.stream(v, cut, v.length).average().orElseThrow();
      double err = 0;
      for (int i = 0; i < v.length; i++) {
        double d = v[i] - (i < cut ? a : b);
        err += d * d;
      }
      if (err < best) {
        best = err;
        levels = new double[] {a, b};
      }
    }
    return levels;
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
    PrunedDpNet both = new PrunedDpNet(new MagnitudePruner(List.of("w"), 0.5, true, stepsPerEpoch, epochs, 0.5),
        new DpNetRegularizer(List.of("w"), 2, LAMBDA), 3);
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
          double[] levels = bruteForceLevels(w);
          for (int i = 0; i < N; i++) {
            if (ref[0][i] == 0) {
              assertEquals(0f, g[0][i], "pruned weight " + i + " gets no gradient");
            } else {
              double q = Math.abs(w[i] - levels[0]) <= Math.abs(w[i] - levels[1]) ? levels[0] : levels[1];
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
}
