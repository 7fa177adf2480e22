package nnzip.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.data.Dataset;
import nnzip.graph.ImportedGraph.BatchNormStats;

/**
 * The running statistics of every BatchNormalization node estimated anew from the model as it is
 * (Li et al.'s adaptive BatchNorm in EagleEye): after channels are removed, the kept channels' inputs
 * no longer have the mean and variance the stored statistics describe, and a network that
 * normalizes by the old ones can be near chance although its weights are fine.
 */
public final class BatchNormRecalibration {
  /** Examples per forward pass: a training batch, whose statistics are pooled exactly below. */
  private static final int CHUNK = 128;

  private BatchNormRecalibration() {}

  /**
   * The population mean and (biased) variance of each BatchNormalization input over the first
   * {@code examples} of {@code data}, pooled from per-chunk batch statistics (mean of the means; mean
   * of variance plus squared mean, less the squared pooled mean).
   *
   * @param graph a {@link nnzip.graph.GraphMode#TRAINING} graph of the model
   * @return running-mean and running-variance weight key → values; empty for a graph without BatchNorm
   */
  public static Map<String, float[]> estimate(TrainingGraph graph, Dataset data, int examples) {
    List<BatchNormStats> nodes = graph.imported().batchNorms();
    int n = Math.min(examples, data.n());
    Map<String, float[]> out = new LinkedHashMap<>();
    if (nodes.isEmpty() || n < 1) {
      return out;
    }
    double[][] mean = new double[nodes.size()][];
    double[][] square = new double[nodes.size()][];
    for (int from = 0; from < n; from += CHUNK) {
      int rows = Math.min(CHUNK, n - from);
      float[] x = Arrays.copyOfRange(data.features(), from * data.dim(), (from + rows) * data.dim());
      int[] y = Arrays.copyOfRange(data.labels(), from, from + rows);
      List<float[]> stats = graph.gradient(x, y, rows).batchStats();
      for (int b = 0; b < nodes.size(); b++) {
        float[] m = stats.get(2 * b);
        float[] v = stats.get(2 * b + 1);
        if (mean[b] == null) {
          mean[b] = new double[m.length];
          square[b] = new double[m.length];
        }
        for (int c = 0; c < m.length; c++) {
          mean[b][c] += (double) rows / n * m[c];
          square[b][c] += (double) rows / n * (v[c] + (double) m[c] * m[c]);
        }
      }
    }
    for (int b = 0; b < nodes.size(); b++) {
      float[] m = new float[mean[b].length];
      float[] v = new float[m.length];
      for (int c = 0; c < m.length; c++) {
        m[c] = (float) mean[b][c];
        v[c] = (float) Math.max(0, square[b][c] - mean[b][c] * mean[b][c]);
      }
      out.put(nodes.get(b).runningMean(), m);
      out.put(nodes.get(b).runningVar(), v);
    }
    return out;
  }
}
