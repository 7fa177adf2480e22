package nnzip.finetune;

import java.util.List;
import nnzip.codec.dp.Codebook;
import nnzip.codec.dp.OptimalQuantizer1D;
import nnzip.codec.dp.WeightedPoints;
import nnzip.train.ParameterValues;

/**
 * The optimal k levels of each listed tensor (the exact dp solver), re-solved from the weights at
 * the first step of every round and held until the next. Checkpoints are written at round
 * boundaries, so a run resumed from one solves the same levels from the same weights as the
 * uninterrupted run did, and repeats it bit for bit.
 */
final class RoundLevels {
  private final List<String> tensors;
  private final int levels;
  private final int stepsPerRound;
  private final Codebook[] books;
  private boolean solved;

  /**
   * @param tensors names of the tensors
   * @param levels levels per tensor, ≥ 2
   * @param stepsPerRound the training plan's steps between checkpoints, ≥ 1
   */
  RoundLevels(List<String> tensors, int levels, int stepsPerRound) {
    if (levels < 2 || stepsPerRound < 1) {
      throw new IllegalArgumentException("need levels ≥ 2 and stepsPerRound ≥ 1, got " + levels + ", " + stepsPerRound);
    }
    this.tensors = List.copyOf(tensors);
    this.levels = levels;
    this.stepsPerRound = stepsPerRound;
    this.books = new Codebook[tensors.size()];
  }

  /** Re-solves the levels when {@code step} starts a round. */
  void startStep(int step, ParameterValues params) {
    if (step % stepsPerRound != 0 && solved) {
      return;
    }
    solved = true;
    for (int t = 0; t < books.length; t++) {
      float[] w = params.get(tensors.get(t));
      books[t] = OptimalQuantizer1D.solve(WeightedPoints.of(w, w.length), levels).codebook();
    }
  }

  List<String> tensors() {
    return tensors;
  }

  Codebook book(int t) {
    return books[t];
  }
}
