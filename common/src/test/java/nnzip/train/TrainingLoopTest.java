package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import nnzip.InvalidInputException;
import nnzip.data.Dataset;
import nnzip.graph.ImportedGraph;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The driver's training loop on a small softmax regression: chunking does not change a step beyond
 * float rounding, the loop learns, and a run resumed from a checkpoint file reaches bit-identical
 * parameters to an uninterrupted one.
 */
class TrainingLoopTest {
  private static final int DIM = 6;
  private static final int CLASSES = 3;

  /** A separable 3-class problem: class = argmax of three fixed projections. */
  static Dataset data(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n * DIM];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < DIM; j++) {
        x[i * DIM + j] = (float) rng.nextGaussian();
      }
      for (int c = 0; c < CLASSES; c++) {
        double s = x[i * DIM + c] + 0.5 * x[i * DIM + c + 3];
        if (s > best) {
          best = s;
          y[i] = c;
        }
      }
    }
    return new Dataset(x, y, n, DIM, CLASSES);
  }

  static TrainingGraph graph() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, DIM);
    SDVariable w = sd.var("W", Nd4j.create(new float[DIM * CLASSES], new long[] {DIM, CLASSES}, 'c'));
    SDVariable b = sd.var("b", Nd4j.create(new float[CLASSES], new long[] {CLASSES}, 'c'));
    sd.mmul(x, w).add("logits", b);
    return TrainingGraph.of(new ImportedGraph(sd, "x", new long[] {DIM}, "logits", "logits", CLASSES,
        List.of("W", "b"), List.of()), WeightPlan.allTrainable(Set.of()));
  }

  @Test
  void chunkedGradientEqualsTheWholeBatchGradient() {
    Dataset d = data(64, 1);
    TrainingGraph g = graph();
    ParameterValues p = g.values();
    p.values()[0][4] = 0.3f;
    g.setValues(p);
    ChunkGradient whole = g.gradient(d.features(), d.labels(), d.n());
    int[] all = new int[64];
    Arrays.setAll(all, i -> i);
    List<ChunkGradient> chunks = new LocalGradients(g, d).gradients(p,
        List.of(Arrays.copyOfRange(all, 0, 20), Arrays.copyOfRange(all, 20, 41), Arrays.copyOfRange(all, 41, 64)));
    float[][] mean = TrainingLoop.meanGradient(chunks, p, 64);
    for (int i = 0; i < mean.length; i++) {
      for (int j = 0; j < mean[i].length; j++) {
        assertEquals(whole.gradients()[i][j] / 64, mean[i][j], 1e-6);
      }
    }
    assertEquals(whole.lossSum(), chunks.stream().mapToDouble(ChunkGradient::lossSum).sum(), 1e-4);
  }

  @Test
  void planVisitsEveryExampleOncePerEpochInChunksOfTheStep() {
    TrainingPlan plan = new TrainingPlan(103, 2, 20, 8, 3, 7);
    assertEquals(6, plan.stepsPerEpoch());
    int[] order = plan.order(1);
    int[] seen = new int[103];
    for (int s = 0; s < plan.stepsPerEpoch(); s++) {
      List<int[]> chunks = plan.chunks(order, s);
      int size = 0;
      for (int[] c : chunks) {
        assertTrue(c.length <= 8);
        size += c.length;
        for (int r : c) {
          seen[r]++;
        }
      }
      assertEquals(s < 5 ? 20 : 3, size);
    }
    assertTrue(Arrays.stream(seen).allMatch(v -> v == 1));
    assertArrayEquals(order, plan.order(1));
    assertNotEquals(Arrays.toString(order), Arrays.toString(plan.order(2)));
  }

  /**
   * A hook that trains three points per step, point k at W + k·δ (put back before the update): one
   * plain SGD step moves W by the mean of the three gradients, each computed here on its own, and the
   * epoch's loss is the mean over the points.
   */
  @Test
  void aStepOfSeveralPointsAppliesTheMeanOfTheirGradients() {
    Dataset d = data(32, 8);
    TrainingPlan plan = new TrainingPlan(32, 1, 32, 8, 1, 3);
    TrainingGraph g = graph();
    ParameterValues start = g.values();
    SplittableRandom rng = new SplittableRandom(9);
    float[] w0 = start.get("W");
    for (int i = 0; i < w0.length; i++) {
      w0[i] = (float) (0.3 * rng.nextGaussian());
    }
    float[] delta = new float[w0.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = (float) (0.5 * rng.nextGaussian());
    }
    float[] kept = w0.clone();
    TrainingLoop.Regularizer shifted = new TrainingLoop.Regularizer() {
      @Override
      public int pointsPerStep() {
        return 3;
      }

      @Override
      public void startPoint(int epoch, int step, int point, ParameterValues params) {
        float[] w = params.get("W");
        for (int i = 0; i < w.length; i++) {
          w[i] = kept[i] + point * delta[i];
        }
      }

      @Override
      public void addGradient(ParameterValues params, float[][] grads) {
        System.arraycopy(kept, 0, params.get("W"), 0, kept.length);
      }
    };
    TrainingState end = new TrainingLoop(plan, Optimizer.sgd(1, 0), List.of()).withRegularizer(shifted)
        .run(TrainingState.start(start, Map.of()), new LocalGradients(g, d), s -> 0, s -> { }, e -> { });

    int[] all = IntStream.range(0, 32).toArray();
    double[] meanW = new double[w0.length];
    double loss = 0;
    for (int k = 0; k < 3; k++) {
      ParameterValues at = start.copy();
      for (int i = 0; i < w0.length; i++) {
        at.get("W")[i] = w0[i] + k * delta[i];
      }
      g.setValues(at);
      ChunkGradient whole = g.gradient(d.features(), d.labels(), d.n());
      loss += whole.lossSum();
      for (int i = 0; i < meanW.length; i++) {
        meanW[i] += whole.gradients()[0][i] / (3.0 * all.length);
      }
    }
    float[] w = end.params().get("W");
    for (int i = 0; i < w.length; i++) {
      assertEquals(w0[i] - meanW[i], w[i], 1e-5, "W[" + i + "]");
    }
    assertEquals(loss / (3 * all.length), end.history().get(0).trainLoss(), 1e-5);
  }

  private static TrainingState train(TrainingPlan plan, Dataset d, TrainingState from, List<TrainingState> saved) {
    return train(plan, d, from, saved, null);
  }

  private static TrainingState train(TrainingPlan plan, Dataset d, TrainingState from, List<TrainingState> saved,
      TrainingLoop.Regularizer hook) {
    TrainingGraph g = graph();
    TrainingLoop loop = new TrainingLoop(plan, Optimizer.adam(0.05), List.of()).withRegularizer(hook);
    return loop.run(from == null ? TrainingState.start(g.values(), Map.of()) : from, new LocalGradients(g, d),
        s -> Evaluation.accuracy(graph(), s.params(), Map.of(), d), saved::add, e -> { });
  }

  @Test
  void trainingLearnsTheProblem() {
    Dataset d = data(400, 2);
    TrainingState end = train(new TrainingPlan(400, 3, 32, 8, 5, 3), d, null, new ArrayList<>());
    assertEquals(3, end.history().size());
    assertTrue(end.history().get(2).validationAccuracy() > 0.9, "accuracy " + end.history());
    assertTrue(end.history().get(2).trainLoss() < end.history().get(0).trainLoss());
  }

  @Test
  void aRunResumedFromACheckpointFileEndsBitIdentical(@TempDir java.nio.file.Path dir) throws Exception {
    Dataset d = data(200, 4);
    TrainingPlan plan = new TrainingPlan(200, 2, 16, 4, 3, 9);
    List<TrainingState> saved = new ArrayList<>();
    TrainingState straight = train(plan, d, null, saved);
    // Take a checkpoint from the middle of epoch 1 (a "killed" run) through the file format.
    TrainingState mid = saved.get(2);
    assertEquals(1, mid.epoch());
    assertEquals(9, mid.step());
    FileSystem fs = HadoopFiles.fileSystem(dir.toString());
    Path file = new Path(dir.toUri().toString(), "run.ckpt");
    CheckpointFile.write(fs, file, "run-a", mid);
    TrainingState loaded = CheckpointFile.read(fs, file, "run-a").orElseThrow();
    TrainingState resumed = train(plan, d, loaded, new ArrayList<>());
    assertEquals(straight.params(), resumed.params());
    assertEquals(straight.optimizer().steps(), resumed.optimizer().steps());
    assertEquals(straight.history().get(1).trainLoss(), resumed.history().get(1).trainLoss());
    assertThrows(InvalidInputException.class, () -> CheckpointFile.read(fs, file, "run-b"));
  }

  /**
   * Magnitude pruning inside the loop: W ends with exactly the final share of zeros, still
   * classifies, and a run resumed mid-way from a
   * checkpoint, with a fresh pruner, ends bit-identical to an uninterrupted one.
   */
  @Test
  void pruningEndsAtItsSparsityStillLearnsAndResumesBitIdentical() {
    Dataset d = data(400, 5);
    TrainingPlan plan = new TrainingPlan(400, 3, 32, 8, 4, 11);
    java.util.function.Supplier<nnzip.finetune.MagnitudePruner> pruner = () -> new nnzip.finetune.MagnitudePruner(
        List.of("W"), 0.5, true, plan.stepsPerEpoch(), plan.epochs(), 0.5);
    List<TrainingState> saved = new ArrayList<>();
    TrainingState straight = train(plan, d, null, saved, pruner.get());
    float[] w = straight.params().get("W");
    long zeros = IntStream.range(0, w.length).filter(i -> w[i] == 0).count();
    assertEquals(9, zeros, Arrays.toString(w));
    // Still a classifier (chance is 1/3; softmax's shift invariance lets 9 weights express the 6 it needs).
    assertTrue(straight.history().get(2).validationAccuracy() > 0.6, "accuracy " + straight.history());
    assertTrue(straight.history().get(2).trainLoss() < straight.history().get(0).trainLoss());
    TrainingState mid = saved.stream().filter(s -> s.epoch() == 1 && s.step() == 8).findFirst().orElseThrow();
    TrainingState resumed = train(plan, d, mid, new ArrayList<>(), pruner.get());
    assertEquals(straight.params(), resumed.params());
  }

  /**
   * Pruning whose last epochs carry DP-Net's term and quantization-aware training, both with levels
   * solved from the weights: a run resumed from a checkpoint inside one of those epochs, with fresh
   * hooks, ends bit-identical to an uninterrupted one, and the training still classifies.
   */
  @Test
  void pruningWithClusteringAndQuantizationAwareEpochsResumesBitIdentical() {
    Dataset d = data(400, 6);
    TrainingPlan plan = new TrainingPlan(400, 3, 32, 8, 4, 12);
    java.util.function.Supplier<TrainingLoop.Regularizer> hooks = () -> new nnzip.finetune.ScheduledTerms(
        new nnzip.finetune.MagnitudePruner(List.of("W"), 0.5, true, plan.stepsPerEpoch(), plan.epochs(), 0.5),
        List.of(new nnzip.finetune.ScheduledTerms.Late(
                new nnzip.finetune.DpNetRegularizer(List.of("W"), 4, 0.01, plan.stepsPerRound()), 2),
            new nnzip.finetune.ScheduledTerms.Late(
                new nnzip.finetune.StraightThroughQuantizer(List.of("W"), null, 4, plan.stepsPerRound()), 2)));
    List<TrainingState> saved = new ArrayList<>();
    TrainingState straight = train(plan, d, null, saved, hooks.get());
    assertTrue(straight.history().get(2).validationAccuracy() > 0.6, "accuracy " + straight.history());
    TrainingState mid = saved.stream().filter(s -> s.epoch() == 2 && s.step() == 8).findFirst().orElseThrow();
    TrainingState resumed = train(plan, d, mid, new ArrayList<>(), hooks.get());
    assertEquals(straight.params(), resumed.params());
  }

  @Test
  void aTruncatedCheckpointIsAClearError(@TempDir java.nio.file.Path dir) throws Exception {
    FileSystem fs = HadoopFiles.fileSystem(dir.toString());
    Path file = new Path(dir.toUri().toString(), "x.ckpt");
    TrainingGraph g = graph();
    CheckpointFile.write(fs, file, "fp", TrainingState.start(g.values(), Map.of("s", new float[] {1, 2})));
    byte[] all = java.nio.file.Files.readAllBytes(dir.resolve("x.ckpt"));
    java.nio.file.Files.write(dir.resolve("x.ckpt"), Arrays.copyOf(all, all.length - 5));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> CheckpointFile.read(fs, file, "fp"));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(CheckpointFile.read(fs, new Path(dir.toUri().toString(), "none"), "fp").isEmpty());
  }
}
