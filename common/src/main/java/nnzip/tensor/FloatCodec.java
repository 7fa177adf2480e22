package nnzip.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts raw little-endian tensor bytes of a floating dtype to and from {@code float}. Half
 * precision follows IEEE 754 binary16 and bfloat16, rounding to nearest even on the way down, so
 * a value that came from F16/BF16 bytes goes back to the identical bytes.
 */
public final class FloatCodec {
  private FloatCodec() {}

  /** IEEE binary16 bits to float (exact). */
  public static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal half: value = mant * 2^-24, exact in float.
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Float to IEEE binary16 bits, round to nearest even; overflow gives ±Inf, NaN stays NaN. */
  public static short floatToHalf(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int exp = (x >>> 23) & 0xff;
    int mant = x & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) == 1)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
      half++; // may carry into the exponent, which is the correct rounding (up to Inf)
    }
    return (short) (sign | half);
  }

  /** bfloat16 bits to float (exact). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** Float to bfloat16 bits, round to nearest even; NaN stays NaN. */
  public static short floatToBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    if ((x & 0x7fffffff) > 0x7f800000) {
      return (short) ((x >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((x >>> 16) & 1);
    return (short) ((x + rounding) >>> 16);
  }

  /**
   * Rounds {@code values[0..n)} to the nearest {@code dtype} values, as writing them as {@code dtype}
   * and reading them back would (F32 and F64 hold every float, so nothing changes for them).
   *
   * @throws IllegalArgumentException if dtype is not floating
   */
  public static void roundTo(DType dtype, float[] values, int n) {
    switch (dtype) {
      case F32, F64 -> { }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          values[i] = halfToFloat(floatToHalf(values[i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          values[i] = bf16ToFloat(floatToBf16(values[i]));
        }
      }
      default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
    }
  }

  /**
   * Decodes {@code n} elements of {@code dtype} from {@code src} (read from its position on,
   * little-endian) into {@code dst[off..off+n)}.
   *
   * @throws IllegalArgumentException if dtype is not floating
   */
  public static void decode(ByteBuffer src, DType dtype, float[] dst, int off, int n) {
    ByteBuffer b = src.order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> b.asFloatBuffer().get(dst, off, n);
      case F64 -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = (float) b.getDouble(b.position() + 8 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = halfToFloat(b.getShort(b.position() + 2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = bf16ToFloat(b.getShort(b.position() + 2 * i));
        }
      }
      default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
    }
    b.position(b.position() + n * dtype.byteSize());
  }

  /**
   * Encodes {@code src[off..off+n)} as {@code dtype} into {@code dst} at its position
   * (little-endian), advancing it by n × dtype size.
   */
  public static void encode(float[] src, int off, int n, DType dtype, ByteBuffer dst) {
    ByteBuffer b = dst.order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> {
        for (int i = 0; i < n; i++) {
          b.putFloat(src[off + i]);
        }
      }
      case F64 -> {
        for (int i = 0; i < n; i++) {
          b.putDouble(src[off + i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          b.putShort(floatToHalf(src[off + i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          b.putShort(floatToBf16(src[off + i]));
        }
      }
      default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
    }
  }
}
