package nnzip.codec;

import java.io.Serializable;

/**
 * How a codec sees one tensor: {@code channels} consecutive groups of {@code channelLength}
 * elements each (row-major, so a conv/linear weight's output channels), or one group for the
 * whole tensor. Element {@code e} belongs to channel {@code e / channelLength}.
 *
 * @param numElements elements in the tensor, ≥ 0
 * @param channels number of groups, ≥ 1
 * @param channelLength elements per group, channels × channelLength = numElements
 */
public record TensorLayout(long numElements, int channels, long channelLength) implements Serializable {
  public TensorLayout {
    if (channels < 1 || channelLength < 0 || Math.multiplyExact((long) channels, channelLength) != numElements) {
      throw new IllegalArgumentException(
          "layout " + channels + " × " + channelLength + " does not cover " + numElements + " elements");
    }
  }

  /** One group holding every element. */
  public static TensorLayout whole(long numElements) {
    return new TensorLayout(numElements, 1, numElements);
  }

  /** {@code rows} groups of {@code numElements / rows}; a tensor with no elements gets one group. */
  public static TensorLayout rows(long numElements, long rows) {
    if (rows <= 1 || numElements == 0) {
      return whole(numElements);
    }
    return new TensorLayout(numElements, Math.toIntExact(rows), numElements / rows);
  }

  /** The group of element {@code element}. */
  public int channelOf(long element) {
    return channelLength == 0 ? 0 : (int) (element / channelLength);
  }
}
