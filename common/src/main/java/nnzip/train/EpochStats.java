package nnzip.train;

/**
 * Diagnostics of one training epoch, reported to the trainer's progress callback.
 *
 * @param epoch 1-based epoch number
 * @param steps optimizer steps (mini-batches) in the epoch
 * @param trainLoss mean cross entropy over the epoch's examples, each batch's loss taken before
 *     its step
 * @param validationAccuracy share of the validation set classified correctly after the epoch
 * @param seconds wall time of the epoch's training steps (validation excluded)
 */
public record EpochStats(int epoch, int steps, double trainLoss, double validationAccuracy, double seconds) {

  /** Mean wall time per optimizer step, in milliseconds. */
  public double millisPerStep() {
    return steps == 0 ? 0 : 1000 * seconds / steps;
  }
}
