package nnzip.train;

import java.util.Map;
import nnzip.train.WeightPlan;
import nnzip.graph.GraphMode;
import nnzip.graph.OnnxGraphImporter;
import nnzip.io.onnx.OnnxModelFile;

/**
 * Everything needed to rebuild the same training graph in any JVM: the ONNX model bytes, the plan
 * of which weights train and how, and the mode. Executors receive it once and build their graphs
 * from it; the driver builds an inference-mode twin for validation.
 *
 * @param onnx the model bytes (weights included)
 * @param plan how each weight enters the graph
 * @param mode TRAINING (BatchNorm on batch statistics) or INFERENCE
 */
public record GraphSetup(byte[] onnx, WeightPlan plan, nnzip.graph.GraphMode mode) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Imports the model and adds the loss. */
  public TrainingGraph build() {
    return TrainingGraph.of(OnnxGraphImporter.load(OnnxModelFile.parse(onnx, "model"), plan, mode), plan);
  }

  /** The same setup in another mode. */
  public GraphSetup withMode(GraphMode m) {
    return new GraphSetup(onnx, plan, m);
  }

  /**
   * The initial values of the frozen statistics that training updates (BatchNorm running mean and
   * variance of the graph's nodes), read from the built graph.
   */
  public static Map<String, float[]> statistics(TrainingGraph g) {
    Map<String, float[]> stats = new java.util.LinkedHashMap<>();
    for (var bn : g.imported().batchNorms()) {
      stats.put(bn.runningMean(), TrainingGraph.flat(g.imported().sd().getVariable(nnzip.graph.OnnxGraphImporter.variableName(bn.runningMean())).getArr()));
      stats.put(bn.runningVar(), TrainingGraph.flat(g.imported().sd().getVariable(nnzip.graph.OnnxGraphImporter.variableName(bn.runningVar())).getArr()));
    }
    return stats;
  }
}
