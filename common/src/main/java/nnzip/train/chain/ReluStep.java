package nnzip.train.chain;

import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * max(x, 0) written over x by libnd4j; the backward pass zeroes the gradient where the output is
 * not positive (the derivative SameDiff uses, 0 at 0), in place as well.
 */
final class ReluStep implements WeightlessStep {
  private INDArray y;

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    y = Transforms.relu(x, false);
    return y;
  }

  @Override
  public INDArray inputGradient(INDArray gy) {
    Kernels.exec("relu_bp", new INDArray[] {y, gy}, new INDArray[] {gy}, new double[] {0.0});
    return gy;
  }
}
