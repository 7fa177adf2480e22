package nnzip.codec.aq;

import java.util.List;

/**
 * What training returns: the trained quantizer and one {@link IterationStats} per round.
 *
 * @param quantizer the trained quantizer
 * @param stats rounds 0..iterations in order; copied, unmodifiable
 */
public record AqTraining(AdditiveQuantizer quantizer, List<IterationStats> stats) {
  public AqTraining {
    stats = List.copyOf(stats);
  }

  /** The relative MSE of the last round, the quantizer's error on the training data. */
  public double finalRelativeMse() {
    return stats.get(stats.size() - 1).relativeMse();
  }
}
