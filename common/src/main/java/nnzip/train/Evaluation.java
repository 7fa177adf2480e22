package nnzip.train;

import java.util.Arrays;
import java.util.Map;
import nnzip.data.Dataset;

/** Top-1 accuracy of a graph with given parameters, in chunks to bound native memory. */
public final class Evaluation {
  private static final int CHUNK = 1000;

  private Evaluation() {}

  /**
   * Sets the parameters and statistics on an inference-mode graph, then counts correct predictions.
   *
   * @param params trainable values, or null to keep the graph's
   * @param statistics frozen statistics to set by weight key (may be empty)
   * @return share of {@code data} classified correctly; 0 for an empty set
   */
  public static double accuracy(TrainingGraph graph, ParameterValues params, Map<String, float[]> statistics,
      Dataset data) {
    if (params != null) {
      graph.setValues(params);
    }
    statistics.forEach(graph::setConstant);
    return accuracy(graph, data);
  }

  /** Share of {@code data} the graph classifies correctly as it is. */
  public static double accuracy(TrainingGraph graph, Dataset data) {
    int[] predicted = predictions(graph, data);
    int correct = 0;
    for (int i = 0; i < data.n(); i++) {
      if (predicted[i] == data.labels()[i]) {
        correct++;
      }
    }
    return data.n() == 0 ? 0 : (double) correct / data.n();
  }

  /** The predicted class of every example, length data.n(). */
  public static int[] predictions(TrainingGraph graph, Dataset data) {
    int k = graph.imported().numClasses();
    int[] out = new int[data.n()];
    for (int from = 0; from < data.n(); from += CHUNK) {
      int rows = Math.min(CHUNK, data.n() - from);
      float[] x = Arrays.copyOfRange(data.features(), from * data.dim(), (from + rows) * data.dim());
      Dense.argmax(graph.logits(x, rows), rows, k, out, from);
    }
    return out;
  }
}
