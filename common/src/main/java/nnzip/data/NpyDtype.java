package nnzip.data;

import java.nio.ByteOrder;
import java.util.Arrays;
import nnzip.InvalidInputException;

/**
 * The NumPy scalar types nnzip reads from {@code .npy} headers, where they are spelled as a
 * byte-order mark, a kind and an item size ({@code |u1}, {@code <i8}, {@code >f4}). Only plain
 * integer and IEEE float kinds are supported; boolean, complex, string, object, datetime and
 * structured dtypes are rejected with the dtype named.
 */
public enum NpyDtype {
  UINT8('u', 1), INT8('i', 1), UINT16('u', 2), INT16('i', 2), UINT32('u', 4), INT32('i', 4),
  UINT64('u', 8), INT64('i', 8), FLOAT16('f', 2), FLOAT32('f', 4), FLOAT64('f', 8);

  private final char kind;
  private final int itemSize;

  NpyDtype(char kind, int itemSize) {
    this.kind = kind;
    this.itemSize = itemSize;
  }

  /** Bytes per element: 1, 2, 4 or 8. */
  public int itemSize() {
    return itemSize;
  }

  /** Whether this is an integer type (signed or unsigned). */
  public boolean isInteger() {
    return kind != 'f';
  }

  /** The little-endian descr NumPy writes for this type, e.g. {@code |u1} or {@code <f4}. */
  public String descr() {
    return (itemSize == 1 ? "|" : "<") + kind + itemSize;
  }

  /**
   * The type of a header 'descr'. One-byte types take any byte-order mark ({@code |}, {@code <},
   * {@code >}); wider types need an explicit {@code <} or {@code >}.
   *
   * @param descr the header's descr string, e.g. {@code <f4}
   * @param name file or entry name for the message
   * @throws InvalidInputException naming the descr if it is not a supported type
   */
  public static NpyDtype parse(String descr, String name) {
    if (descr.length() >= 3 && "<>|".indexOf(descr.charAt(0)) >= 0) {
      String rest = descr.substring(1);
      for (NpyDtype t : values()) {
        if (rest.equals(t.kind + Integer.toString(t.itemSize)) && (t.itemSize == 1 || descr.charAt(0) != '|')) {
          return t;
        }
      }
    }
    throw new InvalidInputException(name + ": unsupported dtype " + nnzip.Messages.quote(descr) + "; supported: "
        + String.join(" ", Arrays.stream(values()).map(NpyDtype::descr).toList())
        + " (and '>' big-endian)");
  }

  /** The byte order of a descr accepted by {@link #parse}: big-endian for {@code >}, else little. */
  public static ByteOrder byteOrder(String descr) {
    return descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  /** IEEE 754 binary16 bits to the float of the same value (exact; NaN and ±∞ kept). */
  static float halfToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exp == 0) {
      float subnormal = mantissa * 0x1p-24f; // zero or subnormal: mantissa · 2^-24, exact in float
      return sign != 0 ? -subnormal : subnormal;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mantissa << 13));
  }
}
