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
 * @param seed seed of the visiting orders (the validation split is {@code DataRef.SPLIT_SEED}'s)
 * @param dpNetLambda weight of DP-Net's clustering regularizer, ≥ 0 (0 = off)
 * @param dpNetEpochs epochs of regularized full-precision training before quantization, ≥ 0
 * @param qatEpochs epochs of quantization-aware full-precision training (straight through the dp
 *     levels) before quantization, ≥ 0 (0 = off)
 * @param examples training examples used (0 = all)
 * @param pruning magnitude pruning of the full-precision model before quantization
 * @param distillation the original model as teacher in every training phase
 * @param aqReencode when finetuning re-chooses aq codes (recipe {@code finetune.aq-reencode}, {@code aq.beam})
 */
public record TrainingSettings(int epochs, Optimizer optimizer, int batch, int chunk, double validation,
    int stepsPerRound, long seed, double dpNetLambda, int dpNetEpochs, int qatEpochs, int examples, Pruning pruning,
    Distillation distillation, AqReencode aqReencode)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The recipe's {@code finetune.prune} block.
   *
   * @param sparsity final share of zero weights in the coded tensors, in [0, 1) (0 = off)
   * @param epochs epochs of training while pruning, ≥ 0 (0 = off)
   * @param global one magnitude threshold over all coded tensors, or the same share in each
   * @param ramp share of the pruning steps over which the sparsity rises, in (0, 1]
   */
  public record Pruning(double sparsity, int epochs, boolean global, double ramp) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** No pruning. */
    public static final Pruning NONE = new Pruning(0, 0, true, 1);

    /** Checks every range. */
    public Pruning {
      if (!(sparsity >= 0 && sparsity < 1)) {
        throw new IllegalArgumentException("prune.sparsity must be in [0, 1), got " + sparsity);
      }
      if (epochs < 0) {
        throw new IllegalArgumentException("prune.epochs must be ≥ 0, got " + epochs);
      }
      if (!(ramp > 0 && ramp <= 1)) {
        throw new IllegalArgumentException("prune.ramp must be in (0, 1], got " + ramp);
      }
    }

    /** Whether the pruning phase runs. */
    public boolean enabled() {
      return sparsity > 0 && epochs > 0;
    }
  }

  /**
   * Re-encoding of aq codes during finetuning ({@code nnzip.finetune.AqReencoder}).
   *
   * @param steps steps between re-encodes, ≥ 0 (0 = the codes stay frozen)
   * @param beam beam width of the encoder, ≥ 1
   * @param target what the codes are re-chosen to approximate
   */
  public record AqReencode(int steps, int beam, Target target) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** What aq codes are re-encoded toward (each tensor divided by its scale). */
    public enum Target {
      /** The weights the model was compressed from. */
      ORIGINAL,
      /**
       * Those weights moved as finetuning moved their decode: original + (decode now − decode at
       * the start), so a subvector keeps what its codeword learned and its code may still change.
       */
      SHIFTED,
      /**
       * Full-precision weights that start at the original and train on the task loss straight
       * through the quantizer (the weight gradient applied to them as is), as in
       * quantization-aware training.
       */
      TRAINED;

      /** The value of a recipe's {@code finetune.aq-reencode-target}. */
      public static Target parse(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
      }
    }

    /** Checks the ranges. */
    public AqReencode {
      if (steps < 0) {
        throw new IllegalArgumentException("aq-reencode must be ≥ 0 steps, got " + steps);
      }
      if (beam < 1) {
        throw new IllegalArgumentException("aq.beam must be ≥ 1, got " + beam);
      }
      java.util.Objects.requireNonNull(target, "target");
    }
  }

  /** Checks every range. */
  public TrainingSettings {
    java.util.Objects.requireNonNull(aqReencode, "aqReencode");
    if (epochs < 0 || dpNetEpochs < 0 || qatEpochs < 0) {
      throw new IllegalArgumentException("epochs, dp-net.epochs and qat.epochs must be ≥ 0, got " + epochs + ", "
          + dpNetEpochs + " and " + qatEpochs);
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
    java.util.Objects.requireNonNull(pruning, "pruning");
    java.util.Objects.requireNonNull(distillation, "distillation");
    if (!(dpNetLambda >= 0 && Double.isFinite(dpNetLambda))) {
      throw new IllegalArgumentException("dp-net.lambda must be finite and ≥ 0, got " + dpNetLambda);
    }
    if (pruning.enabled() && dpNetLambda > 0 && dpNetEpochs > pruning.epochs()) {
      throw new IllegalArgumentException("dp-net.epochs (" + dpNetEpochs + ") must be ≤ prune.epochs ("
          + pruning.epochs() + ") when both are set: the clustering term runs in the last pruning epochs");
    }
    if (pruning.enabled() && qatEpochs > pruning.epochs()) {
      throw new IllegalArgumentException("qat.epochs (" + qatEpochs + ") must be ≤ prune.epochs ("
          + pruning.epochs() + ") when both are set: quantization-aware training runs in the last pruning epochs");
    }
  }

  /** Whether DP-Net's regularized training runs. */
  public boolean dpNet() {
    return dpNetEpochs > 0 && dpNetLambda > 0;
  }

  /**
   * Epochs of full-precision training before quantization: pruning's, else the longer of DP-Net's and
   * quantization-aware training's (each runs in the last of its epochs); 0 = none.
   */
  public int fullPrecisionEpochs() {
    return pruning.enabled() ? pruning.epochs() : Math.max(dpNet() ? dpNetEpochs : 0, qatEpochs);
  }

  /** Whether any training runs (pruning, DP-Net, quantization-aware training or finetuning), which needs a data set. */
  public boolean trains() {
    return epochs > 0 || fullPrecisionEpochs() > 0;
  }

  /** The plan for {@code examples} training examples and {@code e} epochs. */
  public TrainingPlan plan(int examples, int e) {
    return new TrainingPlan(examples, e, Math.min(batch, examples), Math.min(chunk, Math.min(batch, examples)),
        stepsPerRound, seed);
  }
}
