package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flatten, Reshape, Identity and Dropout: activations are kept as [n, per-example size], which these
 * do not change, so they pass arrays through.
 */
final class ReshapeStep implements Step {
  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    return x;
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    return needInput ? gy : null;
  }
}
