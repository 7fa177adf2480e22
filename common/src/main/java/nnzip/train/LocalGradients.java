package nnzip.train;

import java.util.ArrayList;
import java.util.List;
import nnzip.data.Dataset;

/** Chunk gradients computed one after another in this JVM, on one graph. */
public final class LocalGradients implements GradientSource {
  private final TrainingGraph graph;
  private final Dataset train;

  /** Gradients of {@code graph}'s loss over examples of {@code train}. */
  public LocalGradients(TrainingGraph graph, Dataset train) {
    this.graph = graph;
    this.train = train;
  }

  @Override
  public List<ChunkGradient> gradients(ParameterValues params, List<int[]> chunks) {
    graph.setValues(params);
    List<ChunkGradient> out = new ArrayList<>(chunks.size());
    for (int[] rows : chunks) {
      out.add(chunkGradient(graph, train, rows));
    }
    return out;
  }

  /** One chunk's gradient on a graph whose parameters are already set. */
  public static ChunkGradient chunkGradient(TrainingGraph graph, Dataset train, int[] rows) {
    Dataset part = train.rows(rows);
    return graph.gradient(part.features(), part.labels(), part.n());
  }
}
