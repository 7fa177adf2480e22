package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.data.Dataset;
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
 * A line trained through the training loop: a run resumed from a mid-epoch checkpoint ends
 * bit-identical, with the points seeing w0 as trained or as stored, with magnitudes ranked per
 * matrix or over the model, and with three points per step (the sandwich rule); a step of the global scope moves only what the model's ranking keeps.
 */
class LineResumeTest {
  private static Dataset data(int n) {
    SplittableRandom rng = new SplittableRandom(4);
    float[] x = new float[n * 6];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 6; j++) {
        x[i * 6 + j] = (float) rng.nextGaussian();
      }
      y[i] = x[i * 6] > x[i * 6 + 1] ? (x[i * 6 + 2] > 0 ? 0 : 1) : 2;
    }
    return new Dataset(x, y, n, 6, 3);
  }

  @Test
  void aResumedRunReachesTheSameLine() {
    resumeMatches(null, MagnitudeScope.LAYER);
  }

  @Test
  void aResumedRunThroughTheStoredDifferenceReachesTheSameLine() {
    resumeMatches(new nnzip.codec.dp.DpCodec(2), MagnitudeScope.LAYER);
  }

  @Test
  void aResumedRunOfTheGlobalScopeReachesTheSameLine() {
    resumeMatches(new nnzip.codec.dp.DpCodec(2), MagnitudeScope.GLOBAL);
  }

  @Test
  void aResumedSandwichRunOfTheGlobalScopeReachesTheSameLine() {
    resumeMatches(new nnzip.codec.dp.DpCodec(2), MagnitudeScope.GLOBAL, 3);
  }

  private static ParameterValues values(ModelProto m) {
    return new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build().values();
  }

  private static Set<String> matrices(ParameterValues w) {
    Set<String> matrices = new java.util.TreeSet<>();
    for (int i = 0; i < w.names().size(); i++) {
      if (w.shapes().get(i).length >= 2) {
        matrices.add(w.names().get(i));
      }
    }
    return matrices;
  }

  private static void resumeMatches(nnzip.codec.ScalarCodec difference, MagnitudeScope scope) {
    resumeMatches(difference, scope, 1);
  }

  private static void resumeMatches(nnzip.codec.ScalarCodec difference, MagnitudeScope scope, int points) {
    ModelProto m0 = Architecture.MLP_300_100.build(new int[] {6}, 3, 1);
    ParameterValues w0 = values(m0);
    ParameterValues w1 = values(Architecture.MLP_300_100.build(new int[] {6}, 3, 2));
    WeightPlan plan = LineTraining.plan(m0, w0, w1, Set.of(), SubspaceKind.UNSTRUCTURED, scope, difference,
        matrices(w0));
    GraphSetup setup = new GraphSetup(m0.toByteArray(), plan, GraphMode.TRAINING);
    TrainingGraph g = setup.build();
    Dataset train = data(64);
    TrainingPlan tplan = new TrainingPlan(64, 2, 16, 8, 3, 5);
    SubspaceSettings s = new SubspaceSettings(SubspaceKind.UNSTRUCTURED, 1.0, 0.5, 1, points, 1, Double.NaN, 11, null,
        1, scope);
    List<TrainingState> checkpoints = new ArrayList<>();
    List<ParameterValues> validated = new ArrayList<>();
    TrainingState start = TrainingState.start(g.values(), Map.of());
    TrainingState full = new TrainingLoop(tplan, Optimizer.adam(0.01), List.of())
        .withRegularizer(new LineTraining(plan, s, tplan.stepsPerEpoch(), 0.5))
        .run(start, new LocalGradients(g, train), st -> {
          validated.add(st.params().copy());
          return 0.0;
        }, checkpoints::add, e -> {});
    TrainingState mid = checkpoints.stream().filter(c -> c.epoch() == 1 && c.step() == 3).findFirst().orElseThrow();
    List<ParameterValues> validatedAfterResume = new ArrayList<>();
    TrainingState resumed = new TrainingLoop(tplan, Optimizer.adam(0.01), List.of())
        .withRegularizer(new LineTraining(plan, s, tplan.stepsPerEpoch(), 0.5))
        .run(mid, new LocalGradients(setup.build(), train), st -> {
          validatedAfterResume.add(st.params().copy());
          return 0.0;
        }, c -> {}, e -> {});
    assertNotEquals(start.params(), full.params());
    assertEquals(full.params(), resumed.params());
    // Both epochs' validation (the resumed run's from the epoch it resumed in) sees the same point.
    assertEquals(validated, validatedAfterResume);
  }

  @Test
  void aStepOfTheGlobalScopeMovesOnlyWhatTheModelsRankingKeeps() {
    ModelProto m0 = Architecture.MLP_300_100.build(new int[] {6}, 3, 1);
    ParameterValues w0 = values(m0);
    ParameterValues w1 = values(Architecture.MLP_300_100.build(new int[] {6}, 3, 2));
    Set<String> matrices = matrices(w0);
    WeightPlan plan = LineTraining.plan(m0, w0, w1, Set.of(), SubspaceKind.UNSTRUCTURED, MagnitudeScope.GLOBAL, null,
        Set.of());
    TrainingGraph g = new GraphSetup(m0.toByteArray(), plan, GraphMode.TRAINING).build();
    float a = 0.3f;
    // No cos² term (it moves every element), α fixed, no warm-up: the kept share is 0.025 + 0.975·0.3.
    SubspaceSettings s = new SubspaceSettings(SubspaceKind.UNSTRUCTURED, 0, 0.5, 0, a, 11, null, 1,
        MagnitudeScope.GLOBAL);
    TrainingPlan tplan = new TrainingPlan(16, 1, 16, 8, 1, 5);
    TrainingState start = TrainingState.start(g.values(), Map.of());
    TrainingState done = new TrainingLoop(tplan, Optimizer.adam(0.01), List.of())
        .withRegularizer(new LineTraining(plan, s, tplan.stepsPerEpoch(), a))
        .run(start, new LocalGradients(g, data(16)), st -> 0.0, c -> {}, e -> {});
    Map<String, float[]> points = new java.util.LinkedHashMap<>();
    for (String k : matrices) {
      float[] v0 = w0.get(k);
      float[] v1 = w1.get(k);
      float[] w = new float[v0.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = (1 - a) * v0[i] + a * v1[i];
      }
      points.put(k, w);
    }
    int n = points.values().stream().mapToInt(w -> w.length).sum();
    Map<String, boolean[]> kept = GlobalMagnitudeTest.bruteForce(points,
        SubspaceKind.keptElements(SubspaceKind.keepFraction(a, (float) SubspaceKind.LOWEST_KEEP), n));
    for (String k : matrices) {
      float[] before = start.params().get(LineWeight.PREFIX + k);
      float[] after = done.params().get(LineWeight.PREFIX + k);
      boolean[] mask = kept.get(k);
      int moved = 0;
      int keptCount = 0;
      for (int i = 0; i < mask.length; i++) {
        keptCount += mask[i] ? 1 : 0;
        for (int end = 0; end < 2; end++) {
          boolean changed = before[end * mask.length + i] != after[end * mask.length + i];
          if (!mask[i]) {
            assertEquals(before[end * mask.length + i], after[end * mask.length + i], k + " element " + i);
          }
          moved += changed ? 1 : 0;
        }
      }
      assertTrue(moved > keptCount, k + ": " + moved + " of 2 x " + keptCount + " kept endpoint elements moved");
    }
  }

  /**
   * The sandwich rule ranks a step's later points from the endpoints seen at its first point: after
   * the parameters change between steps, every point's counts equal those a fresh hook ranks from
   * the parameters as they are (no stale endpoints), also for a step whose first point was skipped.
   */
  @Test
  void aSandwichStepRanksEachPointFromTheStepsOwnEndpoints() {
    ModelProto m0 = Architecture.MLP_300_100.build(new int[] {6}, 3, 1);
    ParameterValues w0 = values(m0);
    ParameterValues w1 = values(Architecture.MLP_300_100.build(new int[] {6}, 3, 2));
    WeightPlan plan = LineTraining.plan(m0, w0, w1, Set.of(), SubspaceKind.UNSTRUCTURED, MagnitudeScope.GLOBAL,
        new nnzip.codec.dp.DpCodec(2), matrices(w0));
    SubspaceSettings s = new SubspaceSettings(SubspaceKind.UNSTRUCTURED, 0, 0.5, 1, 4, 0, Double.NaN, 11, null, 1,
        MagnitudeScope.GLOBAL);
    ParameterValues params = new GraphSetup(m0.toByteArray(), plan, GraphMode.TRAINING).build().values();
    LineTraining hook = new LineTraining(plan, s, 10, 0.5);
    SplittableRandom rng = new SplittableRandom(3);
    for (int step = 0; step < 3; step++) {
      // Step 2 starts at its second point (a caller that skips the first): the endpoints are the step's too.
      for (int point = step == 2 ? 1 : 0; point < 4; point++) {
        if (point == 0) {
          hook.startStep(1, step, params);
        } else {
          hook.startPoint(1, step, point, params);
        }
        ParameterValues fresh = params.copy();
        new LineTraining(plan, s, 10, 0.5).startPoint(1, step, point, fresh);
        assertEquals(fresh, params, "step " + step + " point " + point);
      }
      // The update between steps moves both endpoints of every weight.
      for (String p : LineTraining.lineParameters(plan)) {
        float[] v = params.get(p);
        for (int i = 0; i < v.length - 2; i++) {
          v[i] += (float) (0.05 * rng.nextGaussian());
        }
      }
    }
  }
}
