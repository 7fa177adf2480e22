package nnzip.codec;

import java.io.Serializable;
import nnzip.tensor.TensorSpec;

/**
 * How a codec sees one tensor: {@code channels} groups of {@code channelLength} elements each, or
 * one group for the whole tensor. A group is a slice along one axis of the row-major tensor (the
 * output channels of a conv or linear weight); element {@code e} belongs to channel
 * {@code (e / inner) % channels}, where {@code inner} is the product of the dimensions after that
 * axis. For axis 0 a channel is one contiguous run.
 *
 * @param numElements elements in the tensor, ≥ 0
 * @param channels number of groups, ≥ 1
 * @param channelLength elements per group, channels × channelLength = numElements
 * @param inner elements between the starts of consecutive runs of one channel's neighbours: the
 *     product of the dimensions after the channel axis (≥ 1; equal to channelLength for axis 0)
 */
public record TensorLayout(long numElements, int channels, long channelLength, long inner) implements Serializable {
  public TensorLayout {
    if (channels < 1 || channelLength < 0 || Math.multiplyExact((long) channels, channelLength) != numElements) {
      throw new IllegalArgumentException(
          "layout " + channels + " × " + channelLength + " does not cover " + numElements + " elements");
    }
    if (inner < 1 && numElements > 0) {
      throw new IllegalArgumentException("inner stride must be ≥ 1, got " + inner);
    }
  }

  /** Contiguous groups: channel {@code c} is elements {@code [c·channelLength, (c+1)·channelLength)}. */
  public TensorLayout(long numElements, int channels, long channelLength) {
    this(numElements, channels, channelLength, Math.max(1, channelLength));
  }

  /** One group holding every element. */
  public static TensorLayout whole(long numElements) {
    return new TensorLayout(numElements, 1, numElements);
  }

  /** {@code rows} contiguous groups of {@code numElements / rows}; a tensor with no elements gets one group. */
  public static TensorLayout rows(long numElements, long rows) {
    if (rows <= 1 || numElements == 0) {
      return whole(numElements);
    }
    return new TensorLayout(numElements, Math.toIntExact(rows), numElements / rows);
  }

  /**
   * One group per index of {@code axis}; a tensor with no elements, or a size-1 axis, gets one group.
   *
   * @throws IllegalArgumentException if the axis is outside the shape
   */
  public static TensorLayout alongAxis(TensorSpec spec, int axis) {
    long[] shape = spec.shape();
    if (axis < 0 || axis >= shape.length) {
      throw new IllegalArgumentException("channel axis " + axis + " is outside the shape of " + spec);
    }
    long n = spec.numElements();
    if (n == 0 || shape[axis] <= 1) {
      return whole(n);
    }
    long inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    return new TensorLayout(n, Math.toIntExact(shape[axis]), n / shape[axis], inner);
  }

  /**
   * One group per block of {@code block} consecutive indices of {@code axis} (block scope); a block
   * as long as the axis gives one group. Blocks must tile the axis: with C = the axis length and
   * C = G·block, element {@code e}'s channel {@code (e / inner) % C} lies in block
   * {@code (e / (inner·block)) % G}, so a block layout is a channel layout with a longer inner stride.
   *
   * @throws IllegalArgumentException if the axis is outside the shape or block does not divide its length
   */
  public static TensorLayout blocksAlongAxis(TensorSpec spec, int axis, long block) {
    TensorLayout channels = alongAxis(spec, axis);
    long c = spec.shape()[axis];
    if (block < 1 || c % block != 0) {
      throw new IllegalArgumentException("blocks of " + block + " channels do not tile the " + c + " channels of " + spec);
    }
    if (channels.channels() == 1 || block == c) {
      return whole(spec.numElements());
    }
    int groups = Math.toIntExact(c / block);
    return new TensorLayout(spec.numElements(), groups, spec.numElements() / groups,
        Math.multiplyExact(channels.inner(), block));
  }

  /** The group of element {@code element}. */
  public int channelOf(long element) {
    return channels == 1 ? 0 : (int) ((element / inner) % channels);
  }
}
