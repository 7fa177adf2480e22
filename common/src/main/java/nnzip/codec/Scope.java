package nnzip.codec;

import java.util.Locale;
import nnzip.tensor.TensorSpec;

/** Which elements share quantization parameters. */
public enum Scope {
  /** One set of parameters per output channel (robust to folded BatchNorm, see DESIGN.md). */
  CHANNEL,
  /** One set of parameters for the whole tensor. */
  TENSOR,
  /** One set of parameters shared by every coded tensor of the model (one codebook). */
  GLOBAL,
  /**
   * One set of parameters per block of consecutive output channels; chosen per tensor by
   * {@link #AUTO}, never named by a recipe. The manifest stores the number of blocks as its channels.
   */
  BLOCK,
  /**
   * Per tensor, the grouping (channel, tensor or block) with the lowest squared error at no more
   * bytes than tensor scope plus a quarter bit per weight; the default. Without a choice made (a
   * layout asked for before the data is seen) it stands for channel scope.
   */
  AUTO;

  /** Lower-case name as written in recipes and manifests. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The layout this scope gives a tensor whose output channels lie along the first axis. */
  public TensorLayout layoutOf(TensorSpec spec) {
    return layoutOf(spec, 0);
  }

  /**
   * The layout this scope gives a tensor whose output channels lie along {@code channelAxis}
   * (1 for an ONNX MatMul weight [in, out] or a ConvTranspose weight [in, out, kh, kw]).
   *
   * @throws IllegalArgumentException for {@link #BLOCK}, whose layout needs its group count
   */
  public TensorLayout layoutOf(TensorSpec spec, int channelAxis) {
    if (this == BLOCK) {
      throw new IllegalArgumentException("block scope needs its number of groups");
    }
    return (this == CHANNEL || this == AUTO) && spec.shape().length >= 2
        ? TensorLayout.alongAxis(spec, channelAxis)
        : TensorLayout.whole(spec.numElements());
  }

  /**
   * The layout as a manifest records it: this scope and {@code groups} parameter groups (only
   * {@link #BLOCK} reads it: block size ceil(C / groups) over the C channels of the axis).
   *
   * @throws IllegalArgumentException if the groups do not tile the channel axis in equal blocks
   */
  public TensorLayout layoutOf(TensorSpec spec, int channelAxis, int groups) {
    if (this != BLOCK) {
      return layoutOf(spec, channelAxis);
    }
    long[] shape = spec.shape();
    if (shape.length < 2 || channelAxis < 0 || channelAxis >= shape.length || groups < 1) {
      throw new IllegalArgumentException("block scope needs a rank ≥ 2 tensor, a channel axis inside its shape and"
          + " ≥ 1 groups; got shape " + java.util.Arrays.toString(shape) + ", axis " + channelAxis + ", " + groups
          + " groups");
    }
    long c = shape[channelAxis];
    long block = (c + groups - 1) / groups;
    return TensorLayout.blocksAlongAxis(spec, channelAxis, block);
  }
}
