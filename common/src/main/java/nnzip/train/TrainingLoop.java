package nnzip.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import nnzip.graph.ImportedGraph.BatchNormStats;

/**
 * The driver's side of data-parallel training: for each step it asks a {@link GradientSource} for
 * the chunk gradients (once per point, where the regularizer trains several points per step), sums
 * them in chunk order (in double), divides by the samples seen, lets an optional {@link Regularizer}
 * add its term, applies the {@link Optimizer}, and folds the chunks' BatchNorm batch statistics into
 * the running ones in chunk order. Every {@code stepsPerRound} steps
 * and at each epoch's end the state goes to the checkpoint sink; a run given a saved state resumes
 * from it and reaches the same parameters bit for bit.
 */
public final class TrainingLoop {
  /**
   * Hooks for what training does outside the graph: a term added to the loss (DP-Net's clustering
   * regularizer), a constraint on the parameters (magnitude pruning's masks) or a different point to
   * take the gradient at (quantization-aware training). A hook must be a function of (epoch, step,
   * parameters) only, or of state it derives from the parameters at a round's first step (where
   * checkpoints are taken), so a resumed run repeats it exactly.
   */
  public interface Regularizer {
    /** Called before each epoch's first step, and when a run resumes inside an epoch. */
    default void startEpoch(int epoch, ParameterValues params) {}

    /** Called before each step's gradients are computed; may change the parameters in place. */
    default void startStep(int epoch, int step, ParameterValues params) {}

    /**
     * How many points each step takes the gradient at, all on the step's batch: the step's gradient is
     * the mean over the points' gradients (a compressible subspace's sandwich rule trains both ends of
     * its line and a point inside at every step). Default 1.
     */
    default int pointsPerStep() {
      return 1;
    }

    /**
     * Called before the gradients of each point of a step after the first (the first is what
     * {@link #startStep} set up); may change the parameters in place.
     */
    default void startPoint(int epoch, int step, int point, ParameterValues params) {}

    /**
     * Adds the regularizer's gradient to the mean loss gradient, in place; may also put back
     * parameters it changed in {@link #startStep}, before the optimizer applies the step.
     */
    void addGradient(ParameterValues params, float[][] grads);

    /** Called after the optimizer applied the step; may change the parameters in place. */
    default void endStep(ParameterValues params) {}

    /**
     * The parameters as the epoch's validation should see them (quantization-aware training: the
     * quantized model, which is what will be kept); must not change {@code params} or the hook.
     */
    default ParameterValues forValidation(ParameterValues params) {
      return params;
    }

    /**
     * Where the BatchNorm batch statistics of a step's point (0 unless the hook trains several) for
     * the running statistic {@code key} go: the keys of the state's statistics to fold them into, each
     * with its share s in (0, 1] of the node's update (running += (1 − momentum)·s·(batch − running);
     * s = 1 is the plain update, bit for bit). A compressible subspace's per-α norm lines spread a
     * point over the anchors next to its α. Default: the key itself, whole.
     */
    default Map<String, Float> statisticsShares(int epoch, int step, int point, String key) {
      return Map.of(key, 1f);
    }

    /**
     * The statistics, by weight key, as the epoch's validation should see them; must not change
     * {@code statistics} or the hook.
     */
    default Map<String, float[]> statisticsForValidation(Map<String, float[]> statistics) {
      return statistics;
    }
  }

  /** Measures validation accuracy of a state (never the test set). */
  @FunctionalInterface
  public interface Validator {
    double accuracy(TrainingState state);
  }

  private final TrainingPlan plan;
  private final Optimizer optimizer;
  private final List<BatchNormStats> batchNorms;
  private Regularizer regularizer;

  /**
   * @param batchNorms the graph's BatchNorm nodes in TRAINING mode (empty otherwise)
   */
  public TrainingLoop(TrainingPlan plan, Optimizer optimizer, List<BatchNormStats> batchNorms) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    this.batchNorms = List.copyOf(batchNorms);
  }

  /** Adds a regularizer; returns this. */
  public TrainingLoop withRegularizer(Regularizer r) {
    this.regularizer = r;
    return this;
  }

  /**
   * Runs from {@code state} to the end of the plan.
   *
   * @param checkpoint receives the state every round and after every epoch
   * @param progress receives each finished epoch's diagnostics
   * @return the final state
   */
  public TrainingState run(TrainingState state, GradientSource source, Validator validator,
      Consumer<TrainingState> checkpoint, Consumer<EpochStats> progress) {
    ParameterValues params = state.params().copy();
    OptimizerState opt = state.optimizer().copy();
    Map<String, float[]> stats = copy(state.statistics());
    TrainingState s = new TrainingState(state.epoch(), state.step(), params, opt, stats, state.history(),
        state.epochLoss(), state.epochCorrect(), state.epochSeen());
    while (s.epoch() <= plan.epochs()) {
      int epoch = s.epoch();
      if (regularizer != null) {
        regularizer.startEpoch(epoch, params);
      }
      int[] order = plan.order(epoch);
      int points = regularizer == null ? 1 : regularizer.pointsPerStep();
      long start = System.nanoTime();
      double loss = s.epochLoss();
      long correct = s.epochCorrect();
      long seen = s.epochSeen();
      for (int step = s.step(); step < plan.stepsPerEpoch(); step++) {
        List<int[]> chunks = plan.chunks(order, step);
        if (regularizer != null) {
          regularizer.startStep(epoch, step, params);
        }
        // Every point's chunks in one ordered sum: one point is the plain step, bit for bit.
        List<ChunkGradient> grads = new ArrayList<>();
        List<List<ChunkGradient>> byPoint = new ArrayList<>();
        for (int point = 0; point < points; point++) {
          if (point > 0) {
            regularizer.startPoint(epoch, step, point, params);
          }
          List<ChunkGradient> g = source.gradients(params, chunks);
          byPoint.add(g);
          grads.addAll(g);
        }
        int n = 0;
        for (ChunkGradient g : grads) {
          n += g.n();
          loss += g.lossSum();
          correct += g.correct();
        }
        seen += n;
        float[][] mean = meanGradient(grads, params, n);
        if (regularizer != null) {
          regularizer.addGradient(params, mean);
        }
        optimizer.apply(params.values(), mean, opt, plan.totalSteps());
        if (regularizer != null) {
          regularizer.endStep(params);
        }
        for (int point = 0; point < points; point++) {
          updateRunningStatistics(byPoint.get(point), stats, epoch, step, point);
        }
        int done = step + 1;
        if (done % plan.stepsPerRound() == 0 && done < plan.stepsPerEpoch()) {
          checkpoint.accept(new TrainingState(epoch, done, params.copy(), opt.copy(), copy(stats), s.history(), loss,
              correct, seen));
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      TrainingState atEnd = new TrainingState(epoch, plan.stepsPerEpoch(), params, opt, stats, s.history(), loss,
          correct, seen);
      TrainingState validated = regularizer == null ? atEnd : new TrainingState(epoch, plan.stepsPerEpoch(),
          regularizer.forValidation(params), opt, regularizer.statisticsForValidation(stats), s.history(), loss,
          correct, seen);
      EpochStats e = new EpochStats(epoch, plan.stepsPerEpoch(), loss / Math.max(1, seen),
          validator.accuracy(validated), seconds);
      s = atEnd.nextEpoch(e);
      checkpoint.accept(new TrainingState(s.epoch(), 0, params.copy(), opt.copy(), copy(stats), s.history(), 0, 0, 0));
      progress.accept(e);
    }
    return s;
  }

  /** Σ chunk gradients (in chunk order, in double) / n. */
  static float[][] meanGradient(List<ChunkGradient> grads, ParameterValues params, int n) {
    float[][] mean = new float[params.values().length][];
    for (int p = 0; p < mean.length; p++) {
      double[] sum = new double[params.values()[p].length];
      for (ChunkGradient g : grads) {
        float[] gp = g.gradients()[p];
        for (int i = 0; i < sum.length; i++) {
          sum[i] += gp[i];
        }
      }
      float[] m = new float[sum.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = (float) (sum[i] / n);
      }
      mean[p] = m;
    }
    return mean;
  }

  private void updateRunningStatistics(List<ChunkGradient> grads, Map<String, float[]> stats, int epoch, int step,
      int point) {
    for (ChunkGradient g : grads) {
      for (int b = 0; b < batchNorms.size(); b++) {
        BatchNormStats bn = batchNorms.get(b);
        fold(stats, bn.runningMean(), g.batchStats().get(2 * b), bn.momentum(), epoch, step, point);
        fold(stats, bn.runningVar(), g.batchStats().get(2 * b + 1), bn.momentum(), epoch, step, point);
      }
    }
  }

  private void fold(Map<String, float[]> stats, String key, float[] batch, float momentum, int epoch, int step,
      int point) {
    if (regularizer == null) {
      blend(stats.get(key), batch, momentum);
      return;
    }
    regularizer.statisticsShares(epoch, step, point, key).forEach((k, share) -> {
      float[] running = stats.get(k);
      if (running == null) {
        throw new IllegalStateException("no running statistic '" + k + "' for BatchNorm statistic '" + key + "'");
      }
      if (share == 1f) {
        blend(running, batch, momentum);
      } else {
        float rate = (1 - momentum) * share;
        for (int i = 0; i < running.length; i++) {
          running[i] += rate * (batch[i] - running[i]);
        }
      }
    });
  }

  private static Map<String, float[]> copy(Map<String, float[]> stats) {
    Map<String, float[]> c = new java.util.LinkedHashMap<>();
    stats.forEach((k, v) -> c.put(k, v.clone()));
    return c;
  }

  private static void blend(float[] running, float[] batch, float momentum) {
    for (int i = 0; i < running.length; i++) {
      running[i] = momentum * running[i] + (1 - momentum) * batch[i];
    }
  }
}
