package nnzip.graph;

/**
 * One step of a graph that is a plain chain of layers (each node reads the previous node's output
 * and weights only), described with its static per-example shapes so that a trainer can run it
 * with hand-written kernels instead of SameDiff (see {@link ChainRecorder}). Weights are named by
 * their weight keys; activation shapes leave out the batch dimension.
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
}
