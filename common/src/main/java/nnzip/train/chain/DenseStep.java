package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** y = x·Wᵀ + b or x·W + b by BLAS gemm, and its three gradients. */
final class DenseStep implements Step {
  private final ChainLayer.Dense layer;
  private final INDArray y;
  private final INDArray gx;
  private final INDArray gw;
  private INDArray x;

  DenseStep(ChainLayer.Dense layer, int n) {
    this.layer = layer;
    this.y = Nd4j.create(DataType.FLOAT, n, layer.out());
    this.gx = Nd4j.create(DataType.FLOAT, n, layer.in());
    this.gw = layer.transposed() ? Nd4j.create(DataType.FLOAT, layer.out(), layer.in())
        : Nd4j.create(DataType.FLOAT, layer.in(), layer.out());
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    this.x = x;
    Nd4j.gemm(x, weights.apply(layer.weight()), y, false, layer.transposed(), 1.0, 0.0);
    if (layer.bias() != null) {
      y.addiRowVector(weights.apply(layer.bias()));
    }
    return y;
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    if (layer.transposed()) {
      Nd4j.gemm(gy, x, gw, true, false, 1.0, 0.0); // [out, in] = gyᵀ·x
    } else {
      Nd4j.gemm(x, gy, gw, true, false, 1.0, 0.0); // [in, out] = xᵀ·gy
    }
    Step.accumulate(grads, layer.weight(), gw);
    if (layer.bias() != null) {
      Step.accumulate(grads, layer.bias(), gy.sum(0));
    }
    if (!needInput) {
      return null;
    }
    Nd4j.gemm(gy, weights.apply(layer.weight()), gx, false, !layer.transposed(), 1.0, 0.0);
    return gx;
  }
}
