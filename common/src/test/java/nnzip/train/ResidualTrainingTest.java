package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.model.Architecture;
import onnx.Onnx;
import org.junit.jupiter.api.Test;

/**
 * resnet20 (residual joins, BatchNorm on batch statistics, global average pooling) trains on the
 * hand-written kernels: a few Adam steps lower the loss of a learnable batch, and two runs from the
 * same start give the same bytes (losses, parameters and batch statistics).
 */
class ResidualTrainingTest {
  private static final int SIDE = 12;
  private static final int N = 32;

  /** Steps on one batch whose class is the brightest quadrant of a noisy image. */
  private static Run train(int steps) {
    Onnx.ModelProto m = Architecture.RESNET20.build(new int[] {1, SIDE, SIDE}, 4, 3);
    TrainingGraph g = new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(BatchNormWeights.runningStatistics(m)),
        GraphMode.TRAINING).build();
    assertTrue(g.usesChainKernels());
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = new float[N * SIDE * SIDE];
    int[] y = new int[N];
    int half = SIDE / 2;
    for (int e = 0; e < N; e++) {
      y[e] = rng.nextInt(4);
      for (int r = 0; r < SIDE; r++) {
        for (int c = 0; c < SIDE; c++) {
          int quadrant = (r < half ? 0 : 2) + (c < half ? 0 : 1);
          x[e * SIDE * SIDE + r * SIDE + c] = (float) (rng.nextDouble() + (quadrant == y[e] ? 1 : 0));
        }
      }
    }
    ParameterValues p = g.values();
    OptimizerState state = OptimizerState.zeros(p.values());
    Optimizer adam = Optimizer.adam(3e-3);
    List<Double> losses = new ArrayList<>();
    List<float[]> stats = List.of();
    for (int s = 0; s < steps; s++) {
      g.setValues(p);
      ChunkGradient grad = g.gradient(x, y, N);
      losses.add(grad.lossSum() / N);
      stats = grad.batchStats();
      float[][] mean = grad.gradients();
      for (float[] a : mean) {
        for (int i = 0; i < a.length; i++) {
          a[i] /= N;
        }
      }
      adam.apply(p.values(), mean, state);
    }
    return new Run(losses, p, stats);
  }

  private record Run(List<Double> losses, ParameterValues params, List<float[]> stats) {}

  @Test
  void aFewStepsLowerTheLossAndRepeatByteForByte() {
    Run a = train(6);
    assertTrue(a.losses().get(5) < 0.8 * a.losses().get(0), "losses " + a.losses());
    assertEquals(2 * (1 + 9 * 2 + 2), a.stats().size(), "a mean and a variance per BatchNorm (stem, blocks, shortcuts)");
    Run b = train(6);
    assertEquals(a.losses(), b.losses());
    for (int k = 0; k < a.params().values().length; k++) {
      assertArrayEquals(a.params().values()[k], b.params().values()[k], a.params().names().get(k));
    }
    for (int k = 0; k < a.stats().size(); k++) {
      assertArrayEquals(a.stats().get(k), b.stats().get(k), "batch statistic " + k);
    }
  }
}
