package nnzip.tensor;

import java.util.Arrays;
import java.util.Objects;
import nnzip.InvalidInputException;

/**
 * Name, element type and shape of one tensor. Sizes are checked for overflow on construction, so
 * {@link #numElements()} and {@link #byteSize()} are always exact.
 *
 * @param name tensor name as in the source file
 * @param dtype element type
 * @param shape dimensions, each ≥ 0; empty for a scalar
 */
public record TensorSpec(String name, DType dtype, long[] shape) implements java.io.Serializable {

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new InvalidInputException("tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, d);
        Math.multiplyExact(n, (long) dtype.byteSize());
      } catch (ArithmeticException e) {
        throw new InvalidInputException("tensor '" + name + "': shape " + Arrays.toString(shape) + " overflows");
      }
    }
  }

  /** Product of the dimensions (1 for a scalar). */
  public long numElements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Bytes of the raw data: elements × dtype size. */
  public long byteSize() {
    return numElements() * dtype.byteSize();
  }

  /** A defensive copy of the shape. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of rows when viewed as [shape[0], rest]: the output channels of a conv/linear weight. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** Elements per row (product of all but the first dimension). */
  public long rowLength() {
    long rows = rows();
    return rows == 0 ? 0 : numElements() / rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
