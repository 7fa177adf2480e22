package nnzip.codec.dp;

import java.util.Arrays;
import nnzip.tensor.FloatCodec;

/**
 * A 16-bit float format whose 65,536 bit patterns index the bins of a {@link HalfHistogram}. Each
 * finite pattern is one bin holding the floats that round (to nearest even) to it, so bins are
 * log-spaced: per sign, F16 has 1,024 bins per octave over [2^-14, 65504] plus 1,024 linear bins of
 * width 2^-24 below (subnormals and zero); BF16 has 128 per octave over the whole float range.
 */
public enum HalfFormat {
  /** IEEE 754 binary16. Floats of magnitude ≥ 65520 round to ±Inf and have no bin. */
  F16 {
    @Override
    public int pattern(float x) {
      int bits = Float.floatToRawIntBits(x);
      int abs = bits & 0x7fffffff;
      if (abs >= 0x38800000 && abs < 0x477ff000) {
        // Normal half range [2^-14, 65520): round the mantissa to nearest even, rebias the exponent
        // (a carry out of the mantissa correctly bumps the exponent).
        int rounded = abs + 0xfff + ((abs >>> 13) & 1);
        return ((rounded >>> 13) - (112 << 10)) | ((bits >>> 16) & 0x8000);
      }
      return FloatCodec.floatToHalf(x) & 0xffff;
    }

    @Override
    public float value(int pattern) {
      return FloatCodec.halfToFloat((short) pattern);
    }

    @Override
    int residualShift(int pattern) {
      int exp = (pattern >>> 10) & 0x1f;
      // Unit 2^(e-24) for a bin of exponent e: every float rounding into it is a multiple of that.
      // Subnormal and zero bins share the unit of the smallest normal binade, 2^-38.
      return exp == 0 ? 38 : 39 - exp;
    }
  },
  /** bfloat16: the top half of a float; covers every finite float. */
  BF16 {
    @Override
    public int pattern(float x) {
      return FloatCodec.floatToBf16(x) & 0xffff;
    }

    @Override
    public float value(int pattern) {
      return FloatCodec.bf16ToFloat((short) pattern);
    }

    @Override
    int residualShift(int pattern) {
      int exp = (pattern >>> 7) & 0xff;
      return exp == 0 ? 149 : 151 - exp;
    }
  };

  /** Number of bit patterns, 65,536. */
  public static final int PATTERNS = 1 << 16;

  /** The pattern (0..65535) that {@code x} rounds to, to nearest even. */
  public abstract int pattern(float x);

  /** The float value of {@code pattern} (exact); ±Inf or NaN for non-finite patterns. */
  public abstract float value(int pattern);

  /**
   * Scale of the fixed-point residuals of a bin: {@code (x − value(pattern)) · 2^shift} is an
   * integer of magnitude ≤ 2^16 for every float x rounding to the pattern (exact, except for F16
   * zero and subnormal bins, where residuals are truncated to multiples of 2^-38).
   */
  abstract int residualShift(int pattern);

  /** Whether {@code pattern} encodes a finite value. */
  boolean isFinite(int pattern) {
    return (pattern & exponentMask()) != exponentMask();
  }

  /** The exponent bits of a pattern; all set means ±Inf or NaN. */
  int exponentMask() {
    return this == F16 ? 0x7c00 : 0x7f80;
  }

  /**
   * The finite patterns in ascending order of value: negatives from the largest magnitude down to
   * −0, then +0 up to the largest positive (−0 and +0 both kept; they are equal values).
   *
   * @return the finite patterns, length 63,488 for F16 and 65,280 for BF16
   */
  int[] ascendingFinitePatterns() {
    int[] out = new int[PATTERNS];
    int n = 0;
    for (int p = 0xffff; p >= 0x8000; p--) {
      if (isFinite(p)) {
        out[n++] = p;
      }
    }
    for (int p = 0; p < 0x8000; p++) {
      if (isFinite(p)) {
        out[n++] = p;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
