package nnzip.train.chain;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = a + b, a residual join: the output's gradient flows unchanged into both branches, one of them
 * getting a copy (each branch's steps may overwrite the gradient they are given).
 */
final class AddStep {
  private final INDArray y;
  private final INDArray gb;

  AddStep(int n, int size) {
    this.y = Nd4j.create(DataType.FLOAT, n, size);
    this.gb = Nd4j.create(DataType.FLOAT, n, size);
  }

  INDArray forward(INDArray a, INDArray b) {
    return a.add(b, y);
  }

  /** The gradients of a and of b, in separate buffers. */
  INDArray[] backward(INDArray gy) {
    return new INDArray[] {gy, gb.assign(gy)};
  }
}
