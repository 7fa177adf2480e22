package nnzip.train;

import java.util.ArrayList;
import java.util.List;
import nnzip.data.Dataset;
import nnzip.data.FashionMnistCache;

/**
 * One small model trained once per test JVM and shared by the trainer and exporter tests:
 * 784-64-10, one epoch over 10,000 Fashion-MNIST training images, validated on 2,000 others.
 */
final class TrainedFixture {
  static final MlpTrainer.Params PARAMS = new MlpTrainer.Params(List.of(64), 1, 128, 1e-3, 1);
  private static MlpGraph graph;
  private static Mlp mlp;
  private static Dataset train;
  private static Dataset validation;
  private static final List<EpochStats> STATS = new ArrayList<>();

  private TrainedFixture() {}

  private static synchronized void ensure() {
    if (graph == null) {
      Dataset.Split split = FashionMnistCache.train().split(1.0 / 6, 1);
      train = split.train().head(10000);
      validation = split.validation().head(2000);
      graph = new MlpTrainer(PARAMS).fitGraph(train, validation, STATS::add);
      mlp = graph.toMlp();
    }
  }

  /** The SameDiff graph after training. */
  static MlpGraph graph() {
    ensure();
    return graph;
  }

  /** The weights read back from {@link #graph()}. */
  static Mlp mlp() {
    ensure();
    return mlp;
  }

  static Dataset train() {
    ensure();
    return train;
  }

  static Dataset validation() {
    ensure();
    return validation;
  }

  static List<EpochStats> stats() {
    ensure();
    return List.copyOf(STATS);
  }
}
