package nnzip.graph;

import java.util.Set;
import java.util.TreeSet;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

/** Which weights of an ONNX graph are BatchNorm running statistics (updated by training, never by gradients). */
public final class BatchNormWeights {
  private BatchNormWeights() {}

  /** The keys of every BatchNormalization node's running mean and variance inputs (main graph). */
  public static Set<String> runningStatistics(ModelProto model) {
    Set<String> keys = new TreeSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      if (n.getOpType().equals("BatchNormalization") && n.getInputCount() >= 5) {
        keys.add(n.getInput(3));
        keys.add(n.getInput(4));
      }
    }
    return keys;
  }
}
