package nnzip.data;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import nnzip.InvalidInputException;

/**
 * One array read from a {@code .npy} file or {@code .npz} entry: its dtype as the header spelled
 * it, its shape and its raw element bytes in C (row-major) order and the dtype's byte order.
 * {@link #floats()} and {@link #ints()} convert the elements, rejecting values that do not fit
 * with a message naming the array, so callers never see NaN, ±∞ or wrapped integers.
 *
 * @param name file or entry name, used in messages
 * @param descr the header's dtype string, e.g. {@code <f4} or {@code |u1}; a supported {@link NpyDtype}
 * @param shape sizes of the dimensions, each ≥ 0; empty for a scalar
 * @param data element bytes, length product(shape) · item size (not copied; treat as read-only)
 */
public record NpyArray(String name, String descr, int[] shape, byte[] data) {
  /** Most elements (and data bytes) an array may have: the largest safe Java array length. */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Checks the dtype and that the data length matches the shape.
   *
   * @throws InvalidInputException if the dtype is unsupported
   * @throws IllegalArgumentException if a dimension is negative or the data length is wrong
   */
  public NpyArray {
    Objects.requireNonNull(name, "name");
    NpyDtype type = NpyDtype.parse(descr, name);
    shape = shape.clone();
    long bytes = type.itemSize();
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
      }
      bytes = Math.multiplyExact(bytes, d);
    }
    if (bytes != data.length) {
      throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " of " + descr + " needs "
          + bytes + " data bytes, got " + data.length);
    }
  }

  /** The element type. */
  public NpyDtype dtype() {
    return NpyDtype.parse(descr, name);
  }

  /** A copy of the shape, length = number of dimensions. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements: the product of the shape (1 for a scalar). */
  public int size() {
    return data.length / dtype().itemSize();
  }

  /**
   * The elements as floats, length {@link #size()}. Integers convert to the nearest float,
   * {@code <f8} values round to float.
   *
   * @throws InvalidInputException naming the array and the element's flat index if a value is NaN
   *     or infinite, or a double lies outside the float range
   */
  public float[] floats() {
    NpyDtype type = dtype();
    ByteBuffer buf = ByteBuffer.wrap(data).order(NpyDtype.byteOrder(descr));
    float[] out = new float[size()];
    for (int i = 0; i < out.length; i++) {
      float v = switch (type) {
        case FLOAT16 -> NpyDtype.halfToFloat(buf.getShort(2 * i));
        case FLOAT32 -> buf.getFloat(4 * i);
        case FLOAT64 -> (float) buf.getDouble(8 * i);
        case UINT64 -> unsignedToFloat(buf.getLong(8 * i));
        default -> integer(type, buf, i);
      };
      if (!Float.isFinite(v)) {
        throw new InvalidInputException(name + ": element " + i + " is " + nonFinite(type, buf, i)
            + "; arrays must hold finite numbers");
      }
      out[i] = v;
    }
    return out;
  }

  /**
   * The elements of an integer array as ints, length {@link #size()}.
   *
   * @throws InvalidInputException naming the array if its dtype is a float type or an element does
   *     not fit an int
   */
  public int[] ints() {
    NpyDtype type = dtype();
    if (!type.isInteger()) {
      throw new InvalidInputException(name + ": expected an integer dtype, got " + descr);
    }
    ByteBuffer buf = ByteBuffer.wrap(data).order(NpyDtype.byteOrder(descr));
    int[] out = new int[size()];
    for (int i = 0; i < out.length; i++) {
      long v = integer(type, buf, i);
      if (v != (int) v || (type == NpyDtype.UINT64 && v < 0)) {
        throw new InvalidInputException(name + ": element " + i + " = "
            + (type == NpyDtype.UINT64 ? Long.toUnsignedString(v) : Long.toString(v)) + " does not fit an int");
      }
      out[i] = (int) v;
    }
    return out;
  }

  /** Element {@code i} of an integer array; UINT64 as its two's-complement bits. */
  private static long integer(NpyDtype type, ByteBuffer buf, int i) {
    return switch (type) {
      case UINT8 -> buf.get(i) & 0xffL;
      case INT8 -> buf.get(i);
      case UINT16 -> buf.getShort(2 * i) & 0xffffL;
      case INT16 -> buf.getShort(2 * i);
      case UINT32 -> buf.getInt(4 * i) & 0xffff_ffffL;
      case INT32 -> buf.getInt(4 * i);
      case UINT64, INT64 -> buf.getLong(8 * i);
      default -> throw new IllegalStateException("not an integer type: " + type);
    };
  }

  /** Describes a value that became NaN or ±∞ as a float. */
  private static String nonFinite(NpyDtype type, ByteBuffer buf, int i) {
    if (type != NpyDtype.FLOAT64) {
      return Float.toString(type == NpyDtype.FLOAT32 ? buf.getFloat(4 * i) : NpyDtype.halfToFloat(buf.getShort(2 * i)));
    }
    double d = buf.getDouble(8 * i);
    return Double.isFinite(d) ? d + " (outside the float range)" : Double.toString(d);
  }

  private static float unsignedToFloat(long bits) {
    return bits >= 0 ? bits : (float) ((bits >>> 1) | (bits & 1)) * 2f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyArray a && name.equals(a.name) && descr.equals(a.descr)
        && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, descr, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "NpyArray[" + name + ", " + descr + ", shape=" + Arrays.toString(shape) + "]";
  }
}
