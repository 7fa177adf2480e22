package nnzip.prune;

import java.io.Serializable;
import nnzip.prune.dirichlet.ChannelSelection;
import nnzip.prune.dirichlet.GateSettings;

/**
 * The structured-pruning part of a recipe as typed values (defaults in conf/reference.conf, key
 * {@code structured}; this record only validates).
 *
 * @param method how channels are ranked
 * @param budget fractions of the prunable parameters and FLOPs kept; both 1 leave the model whole
 * @param allocation how the budget is spread over the layers
 * @param gateEpochs epochs of Dirichlet gate training (weights frozen), ≥ 0; only for dirichlet
 * @param gateOptimizer the gates' update rule: plain SGD (no momentum) or Adam
 * @param gateLearningRate that rule's learning rate for the gates, &gt; 0
 * @param gates the gates' prior, KL weight, starting concentration and noise seed
 * @param gateScore dirichlet only: how a channel ranks once the gates are trained
 * @param foldGates dirichlet only: whether the kept channels keep their learned scales C·g (folded into
 *     the weights the gates scaled), so the pruned model starts as the gated network without the removed
 *     channels; false: the original weights
 * @param meanCompensation training examples whose activations give each removed channel's mean, moved
 *     into its consumers' biases before removal ({@link MeanCompensation}), ≥ 0; 0 = none
 * @param recalibrate training examples over which every BatchNormalization's running statistics are
 *     estimated anew right after removal ({@link nnzip.train.BatchNormRecalibration}), ≥ 0; 0 = keep them
 * @param retrainEpochs epochs of training the kept weights after removal, ≥ 0
 * @param retrainLearningRate Adam's learning rate for that, &gt; 0
 * @param retrainSchedule how that rate changes over the retraining
 * @param seed seed of the random baseline's scores
 */
public record PruneSettings(ChannelSelection.Method method, PruneBudget budget, StructuredPruning.Allocation allocation,
    int gateEpochs, nnzip.train.Optimizer.Kind gateOptimizer, double gateLearningRate,
    GateSettings gates, ChannelSelection.GateScore gateScore, boolean foldGates, int meanCompensation, int recalibrate, int retrainEpochs, double retrainLearningRate, nnzip.train.Optimizer.Schedule retrainSchedule,
    long seed) implements Serializable {
  public PruneSettings {
    java.util.Objects.requireNonNull(retrainSchedule, "retrainSchedule");
    java.util.Objects.requireNonNull(budget, "budget");
    java.util.Objects.requireNonNull(gateOptimizer, "gateOptimizer");
    java.util.Objects.requireNonNull(gateScore, "gateScore");
    if (gateEpochs < 0 || retrainEpochs < 0) {
      throw new IllegalArgumentException("structured.gate-epochs and retrain-epochs must be ≥ 0, got " + gateEpochs
          + " and " + retrainEpochs);
    }
    if (meanCompensation < 0 || recalibrate < 0) {
      throw new IllegalArgumentException("structured.mean-compensation and recalibrate must be ≥ 0 examples, got "
          + meanCompensation + " and " + recalibrate);
    }
    if (!(gateLearningRate > 0) || !(retrainLearningRate > 0)) {
      throw new IllegalArgumentException("structured learning rates must be > 0, got " + gateLearningRate + " and "
          + retrainLearningRate);
    }
  }

  /** Whether the recipe prunes at all. */
  public boolean prunes() {
    return budget.prunes();
  }

  /** The fraction of parameters kept. */
  public double keep() {
    return budget.parameters();
  }

  /**
   * The gates' optimizer: Adam with the usual betas, or SGD without momentum (the gates' gradients are
   * small and steady, so a plain step of gate-lr moves each softplus parameter by lr · its gradient).
   */
  public nnzip.train.Optimizer gateRule() {
    return gateOptimizer == nnzip.train.Optimizer.Kind.ADAM ? nnzip.train.Optimizer.adam(gateLearningRate)
        : nnzip.train.Optimizer.sgd(gateLearningRate, 0);
  }

  /** These settings with another method and parameter budget (the CLI's --method and --keep). */
  public PruneSettings with(ChannelSelection.Method m, double k) {
    return new PruneSettings(m, new PruneBudget(k, budget.flops()), allocation, gateEpochs, gateOptimizer, gateLearningRate, gates, gateScore, foldGates, meanCompensation, recalibrate, retrainEpochs,
        retrainLearningRate,
        retrainSchedule, seed);
  }
}
