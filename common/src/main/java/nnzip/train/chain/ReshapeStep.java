package nnzip.train.chain;

import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flatten, Reshape, Identity and Dropout: activations are kept as [n, per-example size], which these
 * do not change, so they pass arrays through.
 */
final class ReshapeStep implements WeightlessStep {
  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    return x;
  }

  @Override
  public INDArray inputGradient(INDArray gy) {
    return gy;
  }
}
