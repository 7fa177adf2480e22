package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
 * bit-identical, with the points seeing w0 as trained or as stored.
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
    resumeMatches(null);
  }

  @Test
  void aResumedRunThroughTheStoredDifferenceReachesTheSameLine() {
    resumeMatches(new nnzip.codec.dp.DpCodec(2));
  }

  private static void resumeMatches(nnzip.codec.ScalarCodec difference) {
    ModelProto m0 = Architecture.MLP_300_100.build(new int[] {6}, 3, 1);
    ModelProto m1 = Architecture.MLP_300_100.build(new int[] {6}, 3, 2);
    ParameterValues w0 = new GraphSetup(m0.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE)
        .build().values();
    ParameterValues w1 = new GraphSetup(m1.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE)
        .build().values();
    Set<String> matrices = new java.util.TreeSet<>();
    for (int i = 0; i < w0.names().size(); i++) {
      if (w0.shapes().get(i).length >= 2) {
        matrices.add(w0.names().get(i));
      }
    }
    WeightPlan plan = LineTraining.plan(m0, w0, w1, Set.of(), SubspaceKind.UNSTRUCTURED, difference, matrices);
    GraphSetup setup = new GraphSetup(m0.toByteArray(), plan, GraphMode.TRAINING);
    TrainingGraph g = setup.build();
    Dataset train = data(64);
    TrainingPlan tplan = new TrainingPlan(64, 2, 16, 8, 3, 5);
    SubspaceSettings s = new SubspaceSettings(SubspaceKind.UNSTRUCTURED, 1.0, 0.5, 1, Double.NaN, 11, null, 1);
    List<TrainingState> checkpoints = new ArrayList<>();
    TrainingState start = TrainingState.start(g.values(), Map.of());
    TrainingState full = new TrainingLoop(tplan, Optimizer.adam(0.01), List.of())
        .withRegularizer(new LineTraining(LineTraining.lineParameters(plan), s, tplan.stepsPerEpoch(), 0.5))
        .run(start, new LocalGradients(g, train), st -> 0.0, checkpoints::add, e -> {});
    TrainingState mid = checkpoints.stream().filter(c -> c.epoch() == 1 && c.step() == 3).findFirst().orElseThrow();
    TrainingState resumed = new TrainingLoop(tplan, Optimizer.adam(0.01), List.of())
        .withRegularizer(new LineTraining(LineTraining.lineParameters(plan), s, tplan.stepsPerEpoch(), 0.5))
        .run(mid, new LocalGradients(setup.build(), train), st -> 0.0, c -> {}, e -> {});
    assertNotEquals(start.params(), full.params());
    assertEquals(full.params(), resumed.params());
  }
}
