package nnzip.codec;

import nnzip.tensor.TensorSpec;

/** Which elements share quantization parameters. */
public enum Scope {
  /** One set of parameters per output channel (first dimension): the default, see DESIGN.md. */
  CHANNEL,
  /** One set of parameters for the whole tensor. */
  TENSOR;

  /** The layout this scope gives a tensor. */
  public TensorLayout layoutOf(TensorSpec spec) {
    return this == CHANNEL && spec.shape().length >= 2
        ? TensorLayout.rows(spec.numElements(), spec.rows())
        : TensorLayout.whole(spec.numElements());
  }
}
