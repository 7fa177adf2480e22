package nnzip.finetune;

import java.util.ArrayList;
import java.util.List;
import nnzip.codec.TensorLayout;
import nnzip.codec.dp.Codebook;
import nnzip.codec.dp.OptimalQuantizer1D;
import nnzip.codec.dp.WeightedPoints;
import nnzip.train.ParameterValues;

/**
 * The optimal k levels of each group (a whole tensor, or one channel of it, as the dp codec's
 * scope groups it) of the listed tensors, found by the exact dp solver, re-solved from the weights
 * at the first step of every round and held until the next. Checkpoints are written at round
 * boundaries, so a run resumed from one solves the same levels from the same weights as the
 * uninterrupted run did, and repeats it bit for bit.
 *
 * <p>The levels are exact 1-D k-means of the raw weights. Per channel that is what the dp codec
 * computes; at tensor scope the codec solves over the weights grouped by their F16 bit pattern (and
 * merged to {@code dp.bins}), so its levels can differ from these in the last bits.
 */
final class RoundLevels {
  private final List<String> tensors;
  private final List<TensorLayout> layouts;
  private final int levels;
  private final int stepsPerRound;
  private final Codebook[][] books;
  private boolean solved;

  /**
   * @param tensors names of the tensors
   * @param layouts per tensor, its groups; a null entry (or a null list) is one group
   * @param levels levels per group, ≥ 2
   * @param stepsPerRound the training plan's steps between checkpoints, ≥ 1
   */
  RoundLevels(List<String> tensors, List<TensorLayout> layouts, int levels, int stepsPerRound) {
    if (levels < 2 || stepsPerRound < 1) {
      throw new IllegalArgumentException("need levels ≥ 2 and stepsPerRound ≥ 1, got " + levels + ", " + stepsPerRound);
    }
    if (layouts != null && layouts.size() != tensors.size()) {
      throw new IllegalArgumentException(layouts.size() + " layouts for " + tensors.size() + " tensors");
    }
    this.tensors = List.copyOf(tensors);
    this.layouts = layouts == null ? java.util.Collections.nCopies(tensors.size(), null) : new ArrayList<>(layouts);
    this.levels = levels;
    this.stepsPerRound = stepsPerRound;
    this.books = new Codebook[tensors.size()][];
  }

  /** Re-solves the levels when {@code step} starts a round. */
  void startStep(int step, ParameterValues params) {
    if (step % stepsPerRound != 0 && solved) {
      return;
    }
    solved = true;
    for (int t = 0; t < books.length; t++) {
      float[] w = params.get(tensors.get(t));
      TensorLayout layout = layouts.get(t);
      if (layout == null || layout.channels() == 1) {
        books[t] = new Codebook[] {solve(w, w.length)};
        continue;
      }
      int channels = layout.channels();
      int length = Math.toIntExact(layout.channelLength());
      float[][] groups = new float[channels][length];
      int[] filled = new int[channels];
      for (int e = 0; e < w.length; e++) {
        int c = layout.channelOf(e);
        groups[c][filled[c]++] = w[e];
      }
      books[t] = new Codebook[channels];
      for (int c = 0; c < channels; c++) {
        books[t][c] = solve(groups[c], length);
      }
    }
  }

  /** The same groups with levels solved from {@code params} now; this instance is left as it is. */
  RoundLevels solvedFor(ParameterValues params) {
    RoundLevels fresh = new RoundLevels(tensors, layouts, levels, stepsPerRound);
    fresh.startStep(0, params);
    return fresh;
  }

  /** Snaps every element of the listed tensors in {@code params} to its group's nearest level, in place. */
  void snap(ParameterValues params) {
    for (int t = 0; t < tensors.size(); t++) {
      float[] w = params.get(tensors.get(t));
      for (int i = 0; i < w.length; i++) {
        w[i] = quantize(t, i, w[i]);
      }
    }
  }

  private Codebook solve(float[] values, int n) {
    // As the dp codec does for an empty group: one level at 0.
    return n == 0 ? Codebook.of(new float[] {0f}) : OptimalQuantizer1D.solve(WeightedPoints.of(values, n), levels)
        .codebook();
  }

  List<String> tensors() {
    return tensors;
  }

  /** Element {@code e} of tensor {@code t} with value {@code x}, snapped to its group's nearest level. */
  float quantize(int t, int e, float x) {
    Codebook[] b = books[t];
    Codebook book = b.length == 1 ? b[0] : b[layouts.get(t).channelOf(e)];
    return book.decode(book.encode(x));
  }

  /** The levels of tensor {@code t}'s group {@code c} (for reports and tests). */
  float[] levels(int t, int c) {
    return books[t][c].levels();
  }
}
