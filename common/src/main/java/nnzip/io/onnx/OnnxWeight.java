package nnzip.io.onnx;

import java.io.Serializable;
import java.util.Objects;
import nnzip.io.StoredTensor;
import nnzip.tensor.TensorSpec;

/**
 * One weight tensor of an ONNX model: its unique key (see {@link OnnxWeights} for the scheme),
 * element type and shape, and where it lives. The spec's name is the key, not the ONNX tensor
 * name, so specs of one model never clash.
 *
 * @param key unique, stable key within the model; equals {@code spec.name()}
 * @param tensorName the ONNX name: the initializer's name or the Constant node's output name
 * @param depth 0 in the main graph, 1 in a subgraph of a main-graph node, and so on
 * @param placement initializer or Constant node
 * @param storage raw data, typed fields or external file
 * @param spec key, element type and dimensions
 * @param external where the bytes lie when {@code storage == EXTERNAL} (a Hadoop path and an
 *     absolute offset, readable by executors without the model); null otherwise
 */
public record OnnxWeight(
    String key,
    String tensorName,
    int depth,
    WeightPlacement placement,
    WeightStorage storage,
    TensorSpec spec,
    StoredTensor external)
    implements Serializable {

  public OnnxWeight {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(tensorName, "tensorName");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(spec, "spec");
    if (!spec.name().equals(key)) {
      throw new IllegalArgumentException("spec name '" + spec.name() + "' differs from key '" + key + "'");
    }
    if (depth < 0) {
      throw new IllegalArgumentException("negative depth " + depth + " for " + key);
    }
    if ((storage == WeightStorage.EXTERNAL) != (external != null)) {
      throw new IllegalArgumentException("weight '" + key + "': external location given iff storage is EXTERNAL");
    }
  }

  /** True when the weight lives in a nested graph (an If branch, a Loop or Scan body, …). */
  public boolean inSubgraph() {
    return depth > 0;
  }
}
