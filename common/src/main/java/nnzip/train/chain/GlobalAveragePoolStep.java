package nnzip.train.chain;

import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each channel's mean over its S positions, summed in position order; the gradient is spread evenly back. */
final class GlobalAveragePoolStep implements WeightlessStep {
  private final ChainLayer.GlobalAveragePool layer;
  private final INDArray y;
  private final INDArray gx;
  private final float[] pooled;
  private float[] scratch;

  GlobalAveragePoolStep(ChainLayer.GlobalAveragePool layer, int n) {
    this.layer = layer;
    this.y = Nd4j.create(DataType.FLOAT, n, layer.channels());
    this.gx = Nd4j.create(DataType.FLOAT, n, (long) layer.channels() * layer.spatial());
    this.pooled = new float[n * layer.channels()];
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    scratch = Kernels.read(x, scratch);
    int s = layer.spatial();
    for (int o = 0; o < pooled.length; o++) {
      double sum = 0;
      for (int i = o * s, end = i + s; i < end; i++) {
        sum += scratch[i];
      }
      pooled[o] = (float) (sum / s);
    }
    Kernels.write(pooled, y);
    return y;
  }

  @Override
  public INDArray inputGradient(INDArray gy) {
    float[] g = Kernels.read(gy, pooled);
    int s = layer.spatial();
    for (int o = 0; o < g.length; o++) {
      java.util.Arrays.fill(scratch, o * s, (o + 1) * s, g[o] / s);
    }
    Kernels.write(scratch, gx);
    return gx;
  }
}
