package nnzip.train;

/**
 * How to train or finetune, as a recipe's {@code finetune} block says.
 *
 * @param epochs passes over the training split, ≥ 0 (0 = no training)
 * @param optimizer update rule and step size
 * @param batch examples per step, ≥ 1
 * @param chunk examples per gradient task, in [1, batch]
 * @param validation share of the training set held out for validation, in (0, 1)
 * @param stepsPerRound steps between checkpoints, ≥ 1
 * @param seed seed of the split and the visiting orders
 * @param dpNetLambda weight of DP-Net's clustering regularizer, ≥ 0 (0 = off)
 * @param dpNetEpochs epochs of regularized full-precision training before quantization, ≥ 0
 * @param examples training examples used (0 = all)
 */
public record TrainingSettings(int epochs, Optimizer optimizer, int batch, int chunk, double validation,
    int stepsPerRound, long seed, double dpNetLambda, int dpNetEpochs, int examples) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks every range. */
  public TrainingSettings {
    if (epochs < 0 || dpNetEpochs < 0) {
      throw new IllegalArgumentException("epochs must be ≥ 0, got " + epochs + " and " + dpNetEpochs);
    }
    if (batch < 1 || chunk < 1 || chunk > batch) {
      throw new IllegalArgumentException("need batch ≥ 1 and chunk in [1, batch], got batch " + batch + ", chunk " + chunk);
    }
    if (!(validation > 0 && validation < 1)) {
      throw new IllegalArgumentException("validation must be in (0, 1), got " + validation);
    }
    if (examples < 0) {
      throw new IllegalArgumentException("examples must be ≥ 0, got " + examples);
    }
    if (stepsPerRound < 1) {
      throw new IllegalArgumentException("steps-per-round must be ≥ 1, got " + stepsPerRound);
    }
    if (!(dpNetLambda >= 0 && Double.isFinite(dpNetLambda))) {
      throw new IllegalArgumentException("dp-net.lambda must be finite and ≥ 0, got " + dpNetLambda);
    }
  }

  /** The plan for {@code examples} training examples and {@code e} epochs. */
  public TrainingPlan plan(int examples, int e) {
    return new TrainingPlan(examples, e, Math.min(batch, examples), Math.min(chunk, Math.min(batch, examples)),
        stepsPerRound, seed);
  }
}
