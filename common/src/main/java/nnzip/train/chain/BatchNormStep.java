package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNormalization y = γ·x̂ + β, x̂ = (x − μ)/√(σ² + ε) per channel (Ioffe and Szegedy, 2015).
 * With batch statistics μ and σ² (biased) are the channel's mean and variance over the batch and
 * positions, kept for the running-statistics update, and the backward pass is the exact one through
 * them: ∂x = γ/√(σ² + ε)·(g − mean(g) − x̂·mean(g·x̂)). With running statistics the layer is affine
 * and ∂x = γ/√(σ² + ε)·g. Sums run in double, channel by channel in (example, position) order.
 */
final class BatchNormStep implements Step {
  private final ChainLayer.BatchNorm layer;
  private final int n;
  private final INDArray y;
  private final INDArray gx;
  /** [n, C, S]: the input, then x̂ (kept for the backward pass). */
  private float[] xhat;
  private final float[] out;
  private final float[] mean;
  private final float[] var;
  private final float[] invStd;

  BatchNormStep(ChainLayer.BatchNorm layer, int n) {
    this.layer = layer;
    this.n = n;
    this.y = Nd4j.create(DataType.FLOAT, n, layer.outSize());
    this.gx = Nd4j.create(DataType.FLOAT, n, layer.outSize());
    this.out = new float[n * layer.outSize()];
    this.mean = new float[layer.channels()];
    this.var = new float[layer.channels()];
    this.invStd = new float[layer.channels()];
  }

  /** The last forward pass's batch mean and biased variance per channel (batch statistics only). */
  float[][] batchStatistics() {
    return new float[][] {mean.clone(), var.clone()};
  }

  @Override
  public INDArray forward(INDArray x, Function<String, INDArray> weights) {
    xhat = Kernels.read(x, xhat);
    int channels = layer.channels();
    int s = layer.spatial();
    if (layer.batchStatistics()) {
      long m = (long) n * s;
      for (int c = 0; c < channels; c++) {
        double sum = 0;
        for (int e = 0; e < n; e++) {
          sum += Kernels.sum(xhat, (e * channels + c) * s, s);
        }
        double mu = sum / m;
        double sq = 0;
        for (int e = 0; e < n; e++) {
          sq += Kernels.squaredDeviations(xhat, (e * channels + c) * s, s, mu);
        }
        mean[c] = (float) mu;
        var[c] = (float) (sq / m);
      }
    } else {
      System.arraycopy(weights.apply(layer.runningMean()).toFloatVector(), 0, mean, 0, channels);
      System.arraycopy(weights.apply(layer.runningVar()).toFloatVector(), 0, var, 0, channels);
    }
    float[] gamma = weights.apply(layer.scale()).toFloatVector();
    float[] beta = weights.apply(layer.bias()).toFloatVector();
    for (int c = 0; c < channels; c++) {
      invStd[c] = (float) (1 / Math.sqrt((double) var[c] + layer.epsilon()));
    }
    for (int e = 0; e < n; e++) {
      for (int c = 0; c < channels; c++) {
        float mu = mean[c];
        float is = invStd[c];
        float ga = gamma[c];
        float be = beta[c];
        for (int i = (e * channels + c) * s, end = i + s; i < end; i++) {
          float h = (xhat[i] - mu) * is;
          xhat[i] = h;
          out[i] = ga * h + be;
        }
      }
    }
    Kernels.write(out, y);
    return y;
  }

  @Override
  public INDArray backward(INDArray gy, boolean needInput, Function<String, INDArray> weights,
      Map<String, float[]> grads) {
    float[] g = Kernels.read(gy, out);
    int channels = layer.channels();
    int s = layer.spatial();
    double[] sumG = new double[channels];
    double[] sumGh = new double[channels];
    for (int e = 0; e < n; e++) {
      for (int c = 0; c < channels; c++) {
        int from = (e * channels + c) * s;
        sumG[c] += Kernels.sum(g, from, s);
        sumGh[c] += Kernels.dot(g, xhat, from, s);
      }
    }
    float[] gGamma = new float[channels];
    float[] gBeta = new float[channels];
    for (int c = 0; c < channels; c++) {
      gGamma[c] = (float) sumGh[c];
      gBeta[c] = (float) sumG[c];
    }
    Step.accumulate(grads, layer.scale(), Nd4j.createFromArray(gGamma));
    Step.accumulate(grads, layer.bias(), Nd4j.createFromArray(gBeta));
    if (!needInput) {
      return null;
    }
    float[] gamma = weights.apply(layer.scale()).toFloatVector();
    double m = (double) n * s;
    boolean batch = layer.batchStatistics();
    for (int e = 0; e < n; e++) {
      for (int c = 0; c < channels; c++) {
        float k = gamma[c] * invStd[c];
        float meanG = batch ? (float) (sumG[c] / m) : 0f;
        float meanGh = batch ? (float) (sumGh[c] / m) : 0f;
        for (int i = (e * channels + c) * s, end = i + s; i < end; i++) {
          g[i] = k * (g[i] - meanG - xhat[i] * meanGh);
        }
      }
    }
    Kernels.write(g, gx);
    return gx;
  }
}
