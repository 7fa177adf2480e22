package nnzip.codec;

import nnzip.tensor.TensorSpec;

/** Which elements share quantization parameters. */
public enum Scope {
  /** One set of parameters per output channel: the default, see DESIGN.md (folded BatchNorm). */
  CHANNEL,
  /** One set of parameters for the whole tensor. */
  TENSOR,
  /** One set of parameters shared by every coded tensor of the model (one codebook). */
  GLOBAL;

  /** The layout this scope gives a tensor whose output channels lie along the first axis. */
  public TensorLayout layoutOf(TensorSpec spec) {
    return layoutOf(spec, 0);
  }

  /**
   * The layout this scope gives a tensor whose output channels lie along {@code channelAxis}
   * (1 for an ONNX MatMul weight [in, out] or a ConvTranspose weight [in, out, kh, kw]).
   */
  public TensorLayout layoutOf(TensorSpec spec, int channelAxis) {
    return this == CHANNEL && spec.shape().length >= 2
        ? TensorLayout.alongAxis(spec, channelAxis)
        : TensorLayout.whole(spec.numElements());
  }
}
