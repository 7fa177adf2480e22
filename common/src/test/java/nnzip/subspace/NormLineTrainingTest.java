package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.data.Dataset;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.model.Architecture;
import nnzip.train.GraphSetup;
import nnzip.train.LocalGradients;
import nnzip.train.Optimizer;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingState;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;

/**
 * A structured line of a Conv–BatchNorm–ReLU network (vgg-small on 12×12 inputs) trained through the
 * training loop with per-α statistics: a step moves only the anchors around its α, by their weights;
 * anchors that started equal end apart (the widths before each BatchNorm differ), those no step
 * came near keep their start; runs repeat bit for bit, resumed or not.
 */
class NormLineTrainingTest {
  private static final ModelProto M = Architecture.VGG_SMALL.build(new int[] {1, 12, 12}, 3, 1);
  private static final Set<String> STATS = BatchNormWeights.runningStatistics(M);

  private static Dataset data(int n) {
    SplittableRandom rng = new SplittableRandom(4);
    float[] x = new float[n * 144];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 144; j++) {
        x[i * 144 + j] = (float) rng.nextGaussian();
      }
      y[i] = x[i * 144] > x[i * 144 + 1] ? (x[i * 144 + 2] > 0 ? 0 : 1) : 2;
    }
    return new Dataset(x, y, n, 144, 3);
  }

  /** One setup: the line from M at both ends, its plan, graph and the norm line's start. */
  private record Setup(WeightPlan plan, GraphSetup graph, NormLine norms, TrainingLoop.Regularizer regularizer,
      LineTraining line) {}

  private static Setup setup(TrainingPlan tplan, double endpointProbability) {
    return setup(tplan, endpointProbability, 1);
  }

  /** {@link #setup(TrainingPlan, double)} training {@code points} points per step (3: the sandwich rule). */
  private static Setup setup(TrainingPlan tplan, double endpointProbability, int points) {
    ParameterValues w = new GraphSetup(M.toByteArray(), WeightPlan.allTrainable(STATS), GraphMode.INFERENCE).build()
        .values();
    ParameterValues all = new GraphSetup(M.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE)
        .build().values();
    Map<String, float[]> own = new java.util.LinkedHashMap<>();
    STATS.forEach(k -> own.put(k, all.get(k)));
    WeightPlan plan = LineTraining.plan(M, w, w, STATS, SubspaceKind.STRUCTURED);
    SubspaceSettings s = new SubspaceSettings(SubspaceKind.STRUCTURED, 1.0, endpointProbability, 1, points, 0,
        Double.NaN, 11, null, 5, MagnitudeScope.LAYER);
    LineTraining line = new LineTraining(LineTraining.lineParameters(plan), s, tplan.stepsPerEpoch(), 0.5);
    NormLine norms = NormLine.start(5, own, own);
    return new Setup(plan, new GraphSetup(M.toByteArray(), plan, GraphMode.TRAINING), norms,
        new NormLineTraining(line, norms, 0.5), line);
  }

  private static TrainingState run(Setup s, TrainingPlan tplan, TrainingState from, List<TrainingState> checkpoints) {
    TrainingGraph g = s.graph().build();
    TrainingState start = from != null ? from : TrainingState.start(g.values(), s.norms().anchors());
    return new TrainingLoop(tplan, Optimizer.adam(0.01), g.imported().batchNorms()).withRegularizer(s.regularizer())
        .run(start, new LocalGradients(g, data(tplan.examples())), st -> 0.0, checkpoints::add, e -> {});
  }

  @Test
  void aStepMovesTheTwoAnchorsAroundItsAlphaByTheirWeights() {
    TrainingPlan tplan = new TrainingPlan(16, 1, 16, 16, 1, 5);
    Setup s = setup(tplan, 0);
    float alpha = s.line().alpha(1, 0);
    float[] w = s.norms().weights(alpha);
    int j = 0;
    while (w[j] == 0) {
      j++;
    }
    assertTrue(j < 4 && w[j] > 0 && w[j + 1] > 0, "alpha " + alpha + " lies between two anchors");
    Map<String, float[]> before = s.norms().anchors();
    Map<String, float[]> after = run(s, tplan, null, new ArrayList<>()).statistics();
    for (String k : STATS) {
      for (int a = 0; a < 5; a++) {
        float[] b = before.get(NormLine.key(a, k));
        float[] f = after.get(NormLine.key(a, k));
        if (a != j && a != j + 1) {
          assertArrayEquals(b, f, "anchor " + a + " is not around alpha " + alpha);
        }
      }
      // Both started equal, so each moved (1 − momentum)·w·(batch − start): in proportion to its weight.
      float[] b = before.get(NormLine.key(j, k));
      float[] lo = after.get(NormLine.key(j, k));
      float[] hi = after.get(NormLine.key(j + 1, k));
      boolean moved = false;
      for (int i = 0; i < b.length; i++) {
        double dl = lo[i] - b[i];
        double dh = hi[i] - b[i];
        moved |= dl != 0;
        // Each difference carries one rounding of the running value (float near b).
        double ulp = 2 * Math.ulp(Math.max(Math.abs(b[i]), Math.abs(lo[i])));
        assertEquals(dl / w[j], dh / w[j + 1], ulp / w[j] + ulp / w[j + 1] + 1e-6 * Math.abs(dl / w[j]),
            k + "[" + i + "]");
      }
      assertTrue(moved, k);
    }
  }

  /** With one point per step, and with the sandwich rule (both endpoints and one draw every step). */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
  void anchorsThatStartedEqualEndApartAndRunsRepeat(int points) {
    TrainingPlan tplan = new TrainingPlan(32, 2, 8, 8, 2, 5);
    Setup s = setup(tplan, 0.5, points);
    List<TrainingState> checkpoints = new ArrayList<>();
    TrainingState done = run(s, tplan, null, checkpoints);
    NormLine trained = s.norms().withAnchors(done.statistics());
    // The anchors no step's alpha lies next to keep their start; every other one moved.
    boolean[] touched = new boolean[5];
    for (int e = 1; e <= 2; e++) {
      for (int step = 0; step < tplan.stepsPerEpoch(); step++) {
        for (int point = 0; point < points; point++) {
          float[] w = s.norms().weights(s.line().alpha(e, step, point));
          for (int a = 0; a < 5; a++) {
            touched[a] |= w[a] > 0;
          }
        }
      }
    }
    for (int a = 0; a < 5; a++) {
      boolean moved = false;
      for (String k : STATS) {
        moved |= !Arrays.equals(s.norms().statistics().get(k)[a], trained.statistics().get(k)[a]);
      }
      assertEquals(touched[a], moved, "anchor " + a);
    }
    for (int a = 0; a + 1 < 5; a++) {
      boolean differ = false;
      for (String k : STATS) {
        differ |= !Arrays.equals(trained.statistics().get(k)[a], trained.statistics().get(k)[a + 1]);
      }
      assertTrue(differ, "anchors " + a + " and " + (a + 1) + " end apart");
    }
    // The same run again, and resumed from the middle, end with the same bits.
    TrainingState again = run(setup(tplan, 0.5, points), tplan, null, new ArrayList<>());
    TrainingState mid = checkpoints.stream().filter(c -> c.epoch() == 2 && c.step() == 2).findFirst().orElseThrow();
    TrainingState resumed = run(setup(tplan, 0.5, points), tplan, mid, new ArrayList<>());
    for (TrainingState other : List.of(again, resumed)) {
      assertEquals(done.params(), other.params());
      assertEquals(done.statistics().keySet(), other.statistics().keySet());
      done.statistics().forEach((k, x) -> assertArrayEquals(x, other.statistics().get(k), k));
    }
    if (points > 1) {
      assertTrue(touched[0] && touched[4], "the sandwich trains both ends");
    }
    assertNotEquals(s.norms(), trained);
    assertFalse(done.statistics().keySet().stream().anyMatch(STATS::contains));
  }

}
