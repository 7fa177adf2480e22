package nnzip.train;

import java.util.ArrayList;
import java.util.List;
import nnzip.data.Dataset;

/** Chunk gradients computed one after another in this JVM, on one graph. */
public final class LocalGradients implements GradientSource {
  private final TrainingGraph graph;
  private final Dataset train;
  private final float[] targets;

  /** Gradients of {@code graph}'s loss over examples of {@code train}. */
  public LocalGradients(TrainingGraph graph, Dataset train) {
    this(graph, train, null);
  }

  /**
   * Gradients against soft targets.
   *
   * @param targets train.n() × classes target distributions (see {@link Distillation}), or null for the labels
   */
  public LocalGradients(TrainingGraph graph, Dataset train, float[] targets) {
    this.graph = graph;
    this.train = train;
    this.targets = targets;
  }

  @Override
  public List<ChunkGradient> gradients(ParameterValues params, List<int[]> chunks) {
    graph.setValues(params);
    List<ChunkGradient> out = new ArrayList<>(chunks.size());
    for (int[] rows : chunks) {
      out.add(chunkGradient(graph, train, targets, rows));
    }
    return out;
  }

  /** One chunk's gradient on a graph whose parameters are already set; targets may be null. */
  public static ChunkGradient chunkGradient(TrainingGraph graph, Dataset train, float[] targets, int[] rows) {
    Dataset part = train.rows(rows);
    float[] t = null;
    if (targets != null) {
      int k = train.numClasses();
      t = new float[rows.length * k];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(targets, rows[i] * k, t, i * k, k);
      }
    }
    return graph.gradient(part.features(), part.labels(), t, part.n());
  }
}
