package nnzip.codec;

import nnzip.tensor.FloatCodec;

/**
 * Rounding of codec parameters to IEEE binary16 (F16), the precision side information is stored
 * at wherever the codec's rule says its rounding error stays well below the code's own.
 */
public final class Half {
  private Half() {}

  /** x rounded to the nearest F16 value (ties to even); ±Inf beyond 65504. */
  public static float nearest(float x) {
    return FloatCodec.halfToFloat(FloatCodec.floatToHalf(x));
  }

  /** The largest F16 value ≤ x (−Inf below −65504). */
  public static float down(float x) {
    float h = nearest(x);
    return h <= x ? h : below(h);
  }

  /** The smallest F16 value ≥ x (+Inf above 65504). */
  public static float up(float x) {
    return -down(-x);
  }

  /** Whether x is finite and exactly an F16 value, so storing it as F16 loses nothing. */
  public static boolean isExact(float x) {
    return Float.isFinite(x) && Float.isFinite(nearest(x)) && nearest(x) == x;
  }

  /** Whether every value is {@link #isExact}. */
  public static boolean isExact(float[] values) {
    for (float v : values) {
      if (!isExact(v)) {
        return false;
      }
    }
    return true;
  }

  /** The F16 value just below the F16 value h. */
  private static float below(float h) {
    if (h == 0f) {
      return -FloatCodec.halfToFloat((short) 1);
    }
    int bits = FloatCodec.floatToHalf(h) & 0xffff;
    return FloatCodec.halfToFloat((short) (h > 0 ? bits - 1 : bits + 1));
  }
}
