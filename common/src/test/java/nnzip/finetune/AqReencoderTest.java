package nnzip.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.train.ChunkGradient;
import nnzip.train.GradientSource;
import nnzip.train.Optimizer;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingSettings.AqReencode.Target;
import nnzip.train.TrainingState;
import nnzip.train.WeightBinding;
import nnzip.train.WeightPlan;
import org.junit.jupiter.api.Test;

/**
 * Re-encoding inside the training loop: codes change where the schedule says, the trained
 * full-precision weights follow the weight gradient straight through, and a run resumed from a
 * mid-run checkpoint (with a fresh re-encoder) ends bit-identical to the uninterrupted run.
 */
class AqReencoderTest {
  private static final int M = 1;
  private static final int K = 8;
  private static final int D = 4;
  private static final int N = 37; // 10 subvectors, the last one padded
  private static final String P = "books";

  private static float[] gaussian(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return v;
  }

  /** One aq tensor: codebooks, codes (nearest-ish at random), then trained weights = the original. */
  private static CompressedModel model(float[] original) {
    SplittableRandom rng = new SplittableRandom(4);
    int subs = (N + D - 1) / D;
    float[] p = new float[K * D + subs * M + N];
    System.arraycopy(gaussian(rng, K * D), 0, p, 0, K * D);
    for (int s = 0; s < subs; s++) {
      p[K * D + s] = rng.nextInt(K);
    }
    for (int i = 0; i < N; i++) {
      p[K * D + subs + i] = original[i] / 1.5f; // divided by the scale below
    }
    WeightBinding.Aq aq = new WeightBinding.Aq(P, M, K, D, K * D, 1.5f, new long[] {N}, K * D + subs);
    return new CompressedModel(new byte[0], new WeightPlan(Map.of("w", aq), Map.of(P,
        new WeightPlan.Parameter(new long[] {p.length}, p)), Set.of()));
  }

  /** ½ Σ (w − y)² over the decoded weights; its gradient through the binding. */
  private static GradientSource source(WeightBinding.Aq aq, float[] y) {
    return (params, chunks) -> {
      List<ChunkGradient> out = new ArrayList<>();
      for (int[] c : chunks) {
        float[] param = params.get(P);
        float[] w = aq.decode(param);
        float[] dw = new float[N];
        double loss = 0;
        for (int i = 0; i < N; i++) {
          dw[i] = (w[i] - y[i]) * c.length;
          loss += 0.5 * (w[i] - y[i]) * (w[i] - y[i]) * c.length;
        }
        float[] g = new float[param.length];
        aq.addGradient(param, dw, g);
        out.add(new ChunkGradient(new float[][] {g}, loss, 0, c.length, List.of()));
      }
      return out;
    };
  }

  private static TrainingState run(TrainingPlan plan, CompressedModel m, float[] original, float[] y,
      TrainingState from, List<TrainingState> checkpoints, List<AqReencoder.Stats> stats) {
    WeightBinding.Aq aq = (WeightBinding.Aq) m.plan().coded().get("w");
    AqReencoder r = new AqReencoder(m, Map.of("w", original), Target.TRAINED, 5, plan.stepsPerEpoch(), 4, stats::add);
    TrainingLoop loop = new TrainingLoop(plan, Optimizer.adam(0.05), List.of()).withRegularizer(r);
    return loop.run(from, source(aq, y), s -> 0, checkpoints::add, e -> {});
  }

  @Test
  void reencodesOnScheduleAndAResumedRunEndsBitIdentical() {
    SplittableRandom rng = new SplittableRandom(8);
    float[] original = gaussian(rng, N);
    float[] y = gaussian(rng, N);
    CompressedModel m = model(original);
    TrainingPlan plan = new TrainingPlan(64, 3, 8, 4, 3, 5); // 8 steps an epoch, checkpoints every 3
    WeightPlan.Parameter p0 = m.plan().parameters().get(P);
    TrainingState start = TrainingState.start(new ParameterValues(List.of(P), List.of(p0.shape()),
        new float[][] {p0.values().clone()}), Map.of());
    List<TrainingState> checkpoints = new ArrayList<>();
    List<AqReencoder.Stats> stats = new ArrayList<>();
    TrainingState straight = run(plan, m, original, y, start, checkpoints, stats);
    assertEquals(List.of(5L, 10L, 15L, 20L), stats.stream().map(AqReencoder.Stats::step).toList());
    assertTrue(stats.stream().mapToLong(AqReencoder.Stats::changed).sum() > 0, "codes changed");
    WeightBinding.Aq aq = (WeightBinding.Aq) m.plan().coded().get("w");
    float[] end = straight.params().get(P);
    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(p0.values(), aq.trainedAt(), end.length),
        java.util.Arrays.copyOfRange(end, aq.trainedAt(), end.length)), "the trained weights moved");
    // Resume from a checkpoint taken after the re-encode at step 5 (epoch 1, step 6) and from one at
    // an epoch's start (epoch 2, step 0: the re-encode at global step 10 comes later).
    for (TrainingState mid : checkpoints.stream()
        .filter(s -> (s.epoch() == 1 && s.step() == 6) || (s.epoch() == 2 && s.step() == 0)).toList()) {
      TrainingState resumed = run(plan, m, original, y, mid, new ArrayList<>(), new ArrayList<>());
      assertArrayEquals(end, resumed.params().get(P), "resumed at epoch " + mid.epoch() + " step " + mid.step());
    }
  }
}
