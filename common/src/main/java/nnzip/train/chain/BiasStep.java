package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** y = x + b, b broadcast over the batch; written over x. */
final class BiasStep implements Step {
  private final ChainLayer.BiasAdd layer;

  BiasStep(ChainLayer.BiasAdd layer) {
    this.layer = layer;
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    return x.addiRowVector(weights.apply(layer.bias()));
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    Step.accumulate(grads, layer.bias(), gy.sum(0));
    return needInput ? gy : null;
  }
}
