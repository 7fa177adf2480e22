package nnzip.train;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import nnzip.data.Dataset;

/**
 * Trains an {@link Mlp} classifier with ND4J SameDiff: softmax cross entropy, Adam (Kingma and Ba
 * 2015), mini-batches drawn from a fresh seeded shuffle each epoch, He-uniform initialization.
 * Every random choice comes from one {@link SplittableRandom} seeded with {@link Params#seed()},
 * so the result depends only on the data and the params (and, through floating-point summation
 * order, on ND4J's thread count).
 */
public final class MlpTrainer {
  private static final int EVAL_CHUNK = 4096;
  private final Params params;

  /**
   * Training parameters.
   *
   * @param hiddenSizes widths of the hidden layers, each ≥ 1, may be empty (a linear model);
   *     default [300, 100]
   * @param epochs passes over the training set, ≥ 1; default 3
   * @param batchSize examples per Adam step, ≥ 1; default 128
   * @param learningRate Adam step size, finite and &gt; 0; default 1e-3
   * @param seed seed of the initialization and the shuffles; default 1
   */
  public record Params(List<Integer> hiddenSizes, int epochs, int batchSize, double learningRate, long seed) {
    /**
     * Checks every range.
     *
     * @throws IllegalArgumentException if a value is out of its range
     */
    public Params {
      hiddenSizes = List.copyOf(hiddenSizes);
      for (int h : hiddenSizes) {
        if (h < 1) {
          throw new IllegalArgumentException("hidden sizes must be ≥ 1, got " + hiddenSizes);
        }
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be ≥ 1, got " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
      }
      if (!(learningRate > 0 && Double.isFinite(learningRate))) {
        throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
      }
    }

    /** The defaults: hidden [300, 100], 3 epochs, batch 128, learning rate 1e-3, seed 1. */
    public static Params defaults() {
      return new Params(List.of(300, 100), 3, 128, 1e-3, 1);
    }

    /** These params with other hidden widths. */
    public Params withHiddenSizes(Integer... sizes) {
      return new Params(List.of(sizes), epochs, batchSize, learningRate, seed);
    }

    /** These params with another epoch count. */
    public Params withEpochs(int e) {
      return new Params(hiddenSizes, e, batchSize, learningRate, seed);
    }

    /** These params with another seed. */
    public Params withSeed(long s) {
      return new Params(hiddenSizes, epochs, batchSize, learningRate, s);
    }

    /** Layer widths from input to output for {@code dim} features and {@code numClasses}. */
    int[] sizes(int dim, int numClasses) {
      int[] s = new int[hiddenSizes.size() + 2];
      s[0] = dim;
      for (int i = 0; i < hiddenSizes.size(); i++) {
        s[i + 1] = hiddenSizes.get(i);
      }
      s[s.length - 1] = numClasses;
      return s;
    }
  }

  /** A trainer with the given params. */
  public MlpTrainer(Params params) {
    this.params = Objects.requireNonNull(params, "params");
  }

  /** The params this trainer uses. */
  public Params params() {
    return params;
  }

  /**
   * Trains on {@code train}, measuring accuracy on {@code validation} after each epoch (the test
   * set must not be used here: it would leak into model choice).
   *
   * @param progress called after every epoch, on this thread
   * @return the trained weights, read back from the SameDiff variables
   * @throws IllegalArgumentException if the two data sets differ in dim or classes, or train is empty
   */
  public Mlp fit(Dataset train, Dataset validation, Consumer<EpochStats> progress) {
    return fitGraph(train, validation, progress).toMlp();
  }

  /** {@link #fit} that returns the SameDiff graph itself, for tests of the read-back. */
  MlpGraph fitGraph(Dataset train, Dataset validation, Consumer<EpochStats> progress) {
    if (train.n() == 0 || train.dim() != validation.dim() || train.numClasses() != validation.numClasses()) {
      throw new IllegalArgumentException("train " + train + " and validation " + validation + " do not match");
    }
    SplittableRandom rng = new SplittableRandom(params.seed());
    Mlp init = Mlp.heUniform(params.sizes(train.dim(), train.numClasses()), rng.split());
    MlpGraph graph = MlpGraph.of(init, params.learningRate());
    int dim = train.dim();
    int batch = Math.min(params.batchSize(), train.n());
    float[] x = new float[batch * dim];
    int[] y = new int[batch];
    for (int epoch = 1; epoch <= params.epochs(); epoch++) {
      long start = System.nanoTime();
      int[] order = Dataset.permutation(train.n(), rng);
      double lossSum = 0;
      int steps = 0;
      for (int from = 0; from < train.n(); from += batch) {
        int rows = Math.min(batch, train.n() - from);
        for (int i = 0; i < rows; i++) {
          int r = order[from + i];
          System.arraycopy(train.features(), r * dim, x, i * dim, dim);
          y[i] = train.labels()[r];
        }
        float[] xs = rows == batch ? x : Arrays.copyOf(x, rows * dim);
        lossSum += graph.fitBatch(xs, y, rows) * rows;
        steps++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      progress.accept(new EpochStats(epoch, steps, lossSum / train.n(), accuracy(graph, validation), seconds));
    }
    return graph;
  }

  /** Accuracy of the graph's own predictions, in chunks to bound native memory. */
  static double accuracy(MlpGraph graph, Dataset data) {
    int correct = 0;
    int k = data.numClasses();
    for (int from = 0; from < data.n(); from += EVAL_CHUNK) {
      int rows = Math.min(EVAL_CHUNK, data.n() - from);
      float[] x = Arrays.copyOfRange(data.features(), from * data.dim(), (from + rows) * data.dim());
      int[] predicted = new int[rows];
      Dense.argmax(graph.logits(x, rows), rows, k, predicted, 0);
      for (int i = 0; i < rows; i++) {
        if (predicted[i] == data.labels()[from + i]) {
          correct++;
        }
      }
    }
    return data.n() == 0 ? 0 : (double) correct / data.n();
  }
}
