package nnzip.subspace;

import nnzip.prune.ChannelPermutation;

/**
 * The order a structured line started from a trained model gives each channel group's channels
 * before training. The line keeps the first channels at every width, and a trained model's first
 * channels are arbitrary: reordered by importance (largest L1 score first, {@link
 * ChannelPermutation#byL1}, a permutation that leaves the model's function unchanged), the narrow
 * points start from the channels that L1 pruning would keep.
 */
public enum ChannelOrder {
  /** Each group's channels by decreasing L1 score. */
  IMPORTANCE,
  /** The model's own order. */
  GIVEN;

  /** The name in the recipe. */
  public String label() {
    return nnzip.EnumLabels.label(this);
  }

  /**
   * The order of a recipe value.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static ChannelOrder parse(String s) {
    return nnzip.EnumLabels.parse(ChannelOrder.class, s, "channel order");
  }

  /**
   * The model a line of {@code kind} starts from: {@code onnx} itself unless the line is structured
   * and this order reorders it (same outputs, channels permuted).
   *
   * @throws nnzip.InvalidInputException as {@link ChannelPermutation#byL1}
   */
  public byte[] apply(byte[] onnx, SubspaceKind kind) {
    return this == IMPORTANCE && kind == SubspaceKind.STRUCTURED ? ChannelPermutation.byL1(onnx) : onnx;
  }
}
