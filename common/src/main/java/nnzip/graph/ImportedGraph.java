package nnzip.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * An ONNX classifier imported as a SameDiff graph.
 *
 * @param sd the graph; every bound weight is in it (as the {@link WeightBinder} made it)
 * @param input name of the one FLOAT input placeholder (shape [-1, inputShape...])
 * @param inputShape the input's shape without the batch dimension, e.g. [784] or [1, 28, 28]
 * @param output name of the graph's output variable (the ONNX graph output)
 * @param logits name of the variable holding the logits: the input of a trailing Softmax when the
 *     graph ends with one, otherwise {@code output}
 * @param numClasses size of the last dimension of the output
 * @param weights keys of the bound weights, in ONNX order
 * @param batchNorms in {@link GraphMode#TRAINING}, one entry per BatchNormalization node; empty in
 *     inference mode
 * @param chain the graph from input to logits as layers that hand-written kernels can run, in graph
 *     order, or empty when it is not made of such layers (see {@link ChainNode})
 */
public record ImportedGraph(
    SameDiff sd,
    String input,
    long[] inputShape,
    String output,
    String logits,
    int numClasses,
    List<String> weights,
    List<BatchNormStats> batchNorms,
    List<ChainNode> chain) {

  /** A graph that trains on SameDiff alone (no layer chain). */
  public ImportedGraph(SameDiff sd, String input, long[] inputShape, String output, String logits, int numClasses,
      List<String> weights, List<BatchNormStats> batchNorms) {
    this(sd, input, inputShape, output, logits, numClasses, weights, batchNorms, List.of());
  }

  /**
   * The running statistics of one BatchNormalization node and the graph variables holding the
   * current batch's statistics (so a trainer can update running = momentum·running +
   * (1 − momentum)·batch after each step, as ONNX defines it).
   *
   * @param runningMean weight key of the running mean
   * @param runningVar weight key of the running variance
   * @param batchMean SameDiff variable name of the batch mean, per channel
   * @param batchVar SameDiff variable name of the batch variance (biased), per channel
   * @param momentum the node's momentum attribute (ONNX default 0.9)
   */
  public record BatchNormStats(String runningMean, String runningVar, String batchMean, String batchVar, float momentum) {}
}
