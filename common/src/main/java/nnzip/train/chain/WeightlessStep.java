package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A step without weights (ReLU, max pool, reshapes): its backward pass only has the input's gradient
 * to compute, and nothing at all when the input is the chain's data.
 */
interface WeightlessStep extends Step {
  /** The input's gradient from the output's; may overwrite {@code gy}. */
  INDArray inputGradient(INDArray gy);

  @Override
  default INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    return needInput ? inputGradient(gy) : null;
  }
}
