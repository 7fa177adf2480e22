package nnzip.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.data.Dataset;

/**
 * Which examples make up each step: epoch e visits the training set in a permutation drawn from
 * (seed, e) alone, step s takes the next {@code batch} of it, and a step is cut into fixed chunks of
 * {@code chunk} examples. Chunks are the unit of gradient work: their gradients are summed in chunk
 * order, so a step gives the same bits whether one process or many executors computed the chunks.
 *
 * @param examples training examples, ≥ 1
 * @param epochs passes, ≥ 1
 * @param batch examples per step, ≥ 1
 * @param chunk examples per chunk, in [1, batch]
 * @param stepsPerRound steps between checkpoints, ≥ 1
 * @param seed seed of the permutations
 */
public record TrainingPlan(int examples, int epochs, int batch, int chunk, int stepsPerRound, long seed)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks every range. */
  public TrainingPlan {
    if (examples < 1 || epochs < 1 || batch < 1 || stepsPerRound < 1) {
      throw new IllegalArgumentException("examples, epochs, batch and steps per round must be ≥ 1, got "
          + examples + ", " + epochs + ", " + batch + ", " + stepsPerRound);
    }
    if (chunk < 1 || chunk > batch) {
      throw new IllegalArgumentException("chunk must be in [1, batch = " + batch + "], got " + chunk);
    }
  }

  /** Steps per epoch (the last batch may be short). */
  public int stepsPerEpoch() {
    return (examples + batch - 1) / batch;
  }

  /** Steps in the whole run. */
  public long totalSteps() {
    return (long) stepsPerEpoch() * epochs;
  }

  /** The visiting order of epoch e (1-based), a permutation of [0, examples). */
  public int[] order(int epoch) {
    return Dataset.permutation(examples, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch));
  }

  /** The chunks of step s (0-based) of an epoch whose order is given, in chunk order. */
  public List<int[]> chunks(int[] order, int step) {
    int from = step * batch;
    int to = Math.min(examples, from + batch);
    List<int[]> chunks = new ArrayList<>();
    for (int c = from; c < to; c += chunk) {
      chunks.add(Arrays.copyOfRange(order, c, Math.min(to, c + chunk)));
    }
    return chunks;
  }
}
