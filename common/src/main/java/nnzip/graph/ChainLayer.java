package nnzip.graph;

/**
 * One layer of a graph that hand-written kernels can run instead of SameDiff (see {@link
 * ChainRecorder}), described with its static per-example shapes; {@link ChainNode} says which
 * tensors it reads. Weights are named by their weight keys; activation shapes leave out the batch
 * dimension.
 */
public sealed interface ChainLayer {

  /** Elements per example of the layer's output. */
  int outSize();

  /**
   * y = x·Wᵀ + b (Gemm transB=1, W [out, in]) or y = x·W + b (MatMul or Gemm transB=0, W [in, out]).
   *
   * @param bias key of the [out] bias, or null
   */
  record Dense(String weight, boolean transposed, String bias, int in, int out) implements ChainLayer {
    @Override
    public int outSize() {
      return out;
    }
  }

  /** y = x + b over a [batch, size] input, b a weight of shape [size] (MatMul's bias in PyTorch exports). */
  record BiasAdd(String bias, int size) implements ChainLayer {
    @Override
    public int outSize() {
      return size;
    }
  }

  /** max(x, 0) elementwise. */
  record Relu(int size) implements ChainLayer {
    @Override
    public int outSize() {
      return size;
    }
  }

  /** A view with another per-example shape (Flatten, Reshape, Identity, Dropout). */
  record Reshape(int size) implements ChainLayer {
    @Override
    public int outSize() {
      return size;
    }
  }

  /**
   * A 2-D NCHW convolution of one group with symmetric padding.
   *
   * @param weight key of the [outC, inC, kernel[0], kernel[1]] weight
   * @param bias key of the [outC] bias, or null
   * @param in [inC, inH, inW]
   * @param out [outC, outH, outW]
   * @param kernel [kH, kW]
   * @param strides [sH, sW]
   * @param pads [padH, padW], each applied at both ends
   * @param dilations [dH, dW]
   */
  record Conv(String weight, String bias, int[] in, int[] out, int[] kernel, int[] strides, int[] pads,
      int[] dilations) implements ChainLayer {
    @Override
    public int outSize() {
      return out[0] * out[1] * out[2];
    }
  }

  /**
   * 2-D NCHW max pooling with symmetric padding (padded positions never win) and no dilation.
   *
   * @param in [C, inH, inW]
   * @param out [C, outH, outW]
   */
  record MaxPool(int[] in, int[] out, int[] kernel, int[] strides, int[] pads) implements ChainLayer {
    @Override
    public int outSize() {
      return out[0] * out[1] * out[2];
    }
  }

  /** y = a + b of two activations of the same shape (a residual join). */
  record Add(int size) implements ChainLayer {
    @Override
    public int outSize() {
      return size;
    }
  }

  /**
   * BatchNormalization over axis 1 of [C, S...]: y = scale·(x − μ)/√(σ² + ε) + bias.
   *
   * @param scale key of the [C] scale
   * @param bias key of the [C] bias
   * @param runningMean key of the [C] running mean
   * @param runningVar key of the [C] running variance
   * @param channels C
   * @param spatial elements per channel and example (H·W; 1 for [N, C] inputs)
   * @param batchStatistics true: μ, σ² are the batch's mean and biased variance over every axis but 1
   *     ({@link GraphMode#TRAINING}); false: the running statistics
   */
  record BatchNorm(String scale, String bias, String runningMean, String runningVar, float epsilon, int channels,
      int spatial, boolean batchStatistics) implements ChainLayer {
    @Override
    public int outSize() {
      return channels * spatial;
    }
  }

  /** The mean of each channel of [C, S...] over its S elements: [C, 1, 1]. */
  record GlobalAveragePool(int channels, int spatial) implements ChainLayer {
    @Override
    public int outSize() {
      return channels;
    }
  }
}
