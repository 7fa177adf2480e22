package nnzip.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * FloatCodec against slow references written from the IEEE definitions: a half or bfloat16 value is
 * computed in exact double arithmetic from its fields, and rounding picks the nearer of the two
 * neighbouring representable values by comparing exact double distances, ties to the even pattern.
 */
class FloatCodecTest {
  /** Largest finite half pattern; 0x7c00 (Inf) acts as the value 2^16 when rounding. */
  private static final int HALF_MAX_FINITE = 0x7bff;

  // ---------------------------------------------------------------- references

  /** Value of a non-NaN half pattern from its fields, exactly, in double. */
  private static double halfValueRef(int bits) {
    int sign = (bits >>> 15) & 1;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    double v;
    if (exp == 0x1f) {
      v = Double.POSITIVE_INFINITY;
    } else if (exp == 0) {
      v = Math.scalb((double) mant, -24);
    } else {
      v = Math.scalb((double) (1024 + mant), exp - 25);
    }
    return sign == 1 ? -v : v;
  }

  /** Magnitude used for rounding: pattern 0x7c00 stands for 2^16, the first value past the largest finite half. */
  private static double halfMagnitudeForRounding(int magnitudeBits) {
    return magnitudeBits == 0x7c00 ? 65536.0 : halfValueRef(magnitudeBits);
  }

  /** Round-to-nearest-even float → half by searching the sorted magnitudes 0..0x7c00. */
  private static short floatToHalfRef(float f) {
    int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
    double d = Math.abs((double) f);
    if (d >= 65536.0) {
      return (short) (sign | 0x7c00);
    }
    // Largest pattern lo in [0, 0x7bff] with value(lo) <= d.
    int lo = 0;
    int hi = HALF_MAX_FINITE;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (halfValueRef(mid) <= d) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    double below = halfValueRef(lo);
    if (below == d) {
      return (short) (sign | lo);
    }
    double above = halfMagnitudeForRounding(lo + 1);
    double toBelow = d - below; // exact: both are floats within a factor of 2 or tiny
    double toAbove = above - d;
    int pick;
    if (toBelow < toAbove) {
      pick = lo;
    } else if (toAbove < toBelow) {
      pick = lo + 1;
    } else {
      pick = (lo & 1) == 0 ? lo : lo + 1;
    }
    return (short) (sign | pick);
  }

  /** Round-to-nearest-even float → bfloat16 from exact distances to the two neighbouring bf16 values. */
  private static short floatToBf16Ref(float f) {
    int raw = Float.floatToRawIntBits(f);
    int sign = raw < 0 ? 0x8000 : 0;
    double d = Math.abs((double) f);
    if (Double.isInfinite(d)) {
      return (short) (sign | 0x7f80);
    }
    int lo = (raw & 0x7fffffff) >>> 16; // largest bf16 magnitude pattern not above d (truncation)
    double below = Float.intBitsToFloat(lo << 16);
    if (below == d) {
      return (short) (sign | lo);
    }
    // The pattern after the largest finite one is Inf, which rounds like the value 2^128.
    double above = lo + 1 == 0x7f80 ? 0x1p128 : Float.intBitsToFloat((lo + 1) << 16);
    double toBelow = d - below;
    double toAbove = above - d;
    int pick = toBelow < toAbove ? lo : toAbove < toBelow ? lo + 1 : (lo & 1) == 0 ? lo : lo + 1;
    return (short) (sign | pick);
  }

  private static boolean isHalfNaN(int bits) {
    return (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
  }

  private static boolean isBf16NaN(int bits) {
    return (bits & 0x7f80) == 0x7f80 && (bits & 0x7f) != 0;
  }

  private static void assertHalfMatchesReference(float f) {
    short want = floatToHalfRef(f);
    short got = FloatCodec.floatToHalf(f);
    if (want != got) {
      fail(String.format("floatToHalf(%s = 0x%08x) = 0x%04x, reference 0x%04x", f, Float.floatToRawIntBits(f),
          got & 0xffff, want & 0xffff));
    }
  }

  private static void assertBf16MatchesReference(float f) {
    short want = floatToBf16Ref(f);
    short got = FloatCodec.floatToBf16(f);
    if (want != got) {
      fail(String.format("floatToBf16(%s = 0x%08x) = 0x%04x, reference 0x%04x", f, Float.floatToRawIntBits(f),
          got & 0xffff, want & 0xffff));
    }
  }

  // ---------------------------------------------------------------- half

  @Test
  void everyHalfPatternDecodesToItsExactValueAndEncodesBackToItself() {
    for (int h = 0; h < 0x10000; h++) {
      float f = FloatCodec.halfToFloat((short) h);
      if (isHalfNaN(h)) {
        assertTrue(Float.isNaN(f), () -> "half NaN decodes to a non-NaN");
        assertTrue(isHalfNaN(FloatCodec.floatToHalf(f) & 0xffff), "NaN stays NaN");
        assertEquals(h & 0x8000, FloatCodec.floatToHalf(f) & 0x8000, "NaN keeps its sign");
        continue;
      }
      assertEquals(halfValueRef(h), (double) f, 0.0, "value of half 0x" + Integer.toHexString(h));
      assertEquals(h >>> 15, Float.floatToRawIntBits(f) >>> 31, "sign of half 0x" + Integer.toHexString(h));
      assertEquals(h, FloatCodec.floatToHalf(f) & 0xffff, "round trip of half 0x" + Integer.toHexString(h));
    }
  }

  @Test
  void floatToHalfRoundsToNearestEvenAtEveryMidpointAndItsNeighbours() {
    int checked = 0;
    for (int h = 0; h < 0x7c00; h++) {
      // Midpoint between h and the next magnitude (2^16 after the largest finite half): exact in float.
      double mid = (halfValueRef(h) + halfMagnitudeForRounding(h + 1)) / 2;
      float m = (float) mid;
      assertEquals(mid, (double) m, 0.0, "midpoints need at most 12 significant bits");
      for (float f : new float[] {m, Math.nextUp(m), Math.nextDown(m)}) {
        assertHalfMatchesReference(f);
        assertHalfMatchesReference(-f);
        checked += 2;
      }
      int expected = (h & 1) == 0 ? h : h + 1;
      assertEquals(expected, FloatCodec.floatToHalf(m) & 0xffff, "a tie goes to the even pattern");
    }
    assertEquals(6 * 0x7c00, checked);
  }

  @Test
  void floatToHalfMatchesTheReferenceOnRandomFloatsAcrossTheHalfRange() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 1_000_000; i++) {
      // Exponents 95..150 cover underflow to zero, subnormals, normals and overflow.
      int exp = 95 + rnd.nextInt(56);
      int bits = (rnd.nextInt(2) << 31) | (exp << 23) | rnd.nextInt(1 << 23);
      assertHalfMatchesReference(Float.intBitsToFloat(bits));
    }
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(rnd.nextInt());
      if (!Float.isNaN(f)) {
        assertHalfMatchesReference(f);
      }
    }
  }

  @Test
  void floatToHalfOverflowsToInfinityAndUnderflowsToSignedZero() {
    assertEquals(0x7bff, FloatCodec.floatToHalf(65504f) & 0xffff);
    assertEquals(0x7bff, FloatCodec.floatToHalf(Math.nextDown(65520f)) & 0xffff, "just below the midpoint rounds down");
    assertEquals(0x7c00, FloatCodec.floatToHalf(65520f) & 0xffff, "the midpoint to 2^16 rounds to even, i.e. Inf");
    assertEquals(0x7c00, FloatCodec.floatToHalf(1e6f) & 0xffff);
    assertEquals(0xfc00, FloatCodec.floatToHalf(-Float.MAX_VALUE) & 0xffff);
    assertEquals(0x7c00, FloatCodec.floatToHalf(Float.POSITIVE_INFINITY) & 0xffff);
    assertEquals(0xfc00, FloatCodec.floatToHalf(Float.NEGATIVE_INFINITY) & 0xffff);
    // Smallest subnormal half is 2^-24; half of it is a tie with zero and goes to zero (even).
    assertEquals(0x0001, FloatCodec.floatToHalf(0x1p-24f) & 0xffff);
    assertEquals(0x0000, FloatCodec.floatToHalf(0x1p-25f) & 0xffff);
    assertEquals(0x0001, FloatCodec.floatToHalf(Math.nextUp(0x1p-25f)) & 0xffff);
    assertEquals(0x8000, FloatCodec.floatToHalf(-0x1p-26f) & 0xffff);
    assertEquals(0x8000, FloatCodec.floatToHalf(-0f) & 0xffff);
    assertEquals(0x0000, FloatCodec.floatToHalf(Float.MIN_VALUE) & 0xffff);
    // Largest subnormal rounding up into the smallest normal.
    assertEquals(0x0400, FloatCodec.floatToHalf(Math.nextDown(0x1p-14f)) & 0xffff);
  }

  @Test
  void floatNaNsOfEveryPayloadBecomeHalfNaNs() {
    int[] nans = {0x7fc00000, 0x7f800001, 0xff800001, 0x7f801fff, 0x7fffffff, 0xffc00000, 0x7fa00000};
    for (int n : nans) {
      float f = Float.intBitsToFloat(n);
      int h = FloatCodec.floatToHalf(f) & 0xffff;
      assertTrue(isHalfNaN(h), String.format("0x%08x gave 0x%04x", n, h));
      assertEquals((n >>> 16) & 0x8000, h & 0x8000, "sign kept");
    }
  }

  // ---------------------------------------------------------------- bfloat16

  @Test
  void everyBf16PatternDecodesExactlyAndEncodesBackToItself() {
    for (int b = 0; b < 0x10000; b++) {
      float f = FloatCodec.bf16ToFloat((short) b);
      assertEquals(b << 16, Float.floatToRawIntBits(f), "bf16 is the top half of a float");
      if (isBf16NaN(b)) {
        assertTrue(isBf16NaN(FloatCodec.floatToBf16(f) & 0xffff), "NaN stays NaN");
        continue;
      }
      assertEquals(b, FloatCodec.floatToBf16(f) & 0xffff, "round trip of bf16 0x" + Integer.toHexString(b));
    }
  }

  @Test
  void floatToBf16RoundsToNearestEvenForEveryHighHalfAndEveryCriticalLowHalf() {
    int[] lows = {0x0000, 0x0001, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff};
    for (int hiBits = 0; hiBits < 0x10000; hiBits++) {
      for (int low : lows) {
        float f = Float.intBitsToFloat((hiBits << 16) | low);
        if (Float.isNaN(f)) {
          assertTrue(isBf16NaN(FloatCodec.floatToBf16(f) & 0xffff), "NaN with low bits 0x" + Integer.toHexString(low));
          continue;
        }
        assertBf16MatchesReference(f);
      }
    }
  }

  @Test
  void floatToBf16MatchesTheReferenceOnRandomFloats() {
    SplittableRandom rnd = new SplittableRandom(12);
    for (int i = 0; i < 1_000_000; i++) {
      float f = Float.intBitsToFloat(rnd.nextInt());
      if (!Float.isNaN(f)) {
        assertBf16MatchesReference(f);
      }
    }
  }

  @Test
  void floatToBf16OverflowsToInfinityOnlyPastTheLastMidpoint() {
    int maxFinite = 0x7f7f;
    float last = FloatCodec.bf16ToFloat((short) maxFinite);
    assertEquals(maxFinite, FloatCodec.floatToBf16(last) & 0xffff);
    // Float.MAX_VALUE lies above the midpoint between the largest bf16 and 2^128.
    assertEquals(0x7f80, FloatCodec.floatToBf16(Float.MAX_VALUE) & 0xffff);
    assertEquals(0xff80, FloatCodec.floatToBf16(-Float.MAX_VALUE) & 0xffff);
    assertEquals(maxFinite, FloatCodec.floatToBf16(Float.intBitsToFloat(0x7f7f7fff)) & 0xffff);
    assertEquals(0x0002, FloatCodec.floatToBf16(Float.intBitsToFloat(0x00018000)) & 0xffff, "subnormal tie above odd → up");
    assertEquals(0x0000, FloatCodec.floatToBf16(Float.intBitsToFloat(0x00008000)) & 0xffff, "subnormal tie to even → down");
  }

  @Test
  void floatNaNsOfEveryPayloadBecomeBf16NaNs() {
    int[] nans = {0x7fc00000, 0x7f800001, 0xff800001, 0x7f80ffff, 0x7fffffff, 0x7fff8000};
    for (int n : nans) {
      int b = FloatCodec.floatToBf16(Float.intBitsToFloat(n)) & 0xffff;
      assertTrue(isBf16NaN(b), String.format("0x%08x gave 0x%04x", n, b));
      assertEquals((n >>> 16) & 0x8000, b & 0x8000, "sign kept");
    }
  }

  // ---------------------------------------------------------------- buffers

  private static float[] interestingFloats(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] v = new float[n];
    float[] special = {0f, -0f, 1f, -1f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 65504f, 0x1p-24f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (int i = 0; i < n; i++) {
      v[i] = i < special.length ? special[i] : (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-6, 6)));
    }
    return v;
  }

  @Test
  void f32AndF64BuffersRoundTripExactlyAndAdvanceTheirPositions() {
    float[] v = interestingFloats(1000, 1);
    for (DType t : new DType[] {DType.F32, DType.F64}) {
      ByteBuffer buf = ByteBuffer.allocate(16 + v.length * t.byteSize());
      buf.position(16); // a non-zero start must be honoured on both sides
      FloatCodec.encode(v, 0, v.length, t, buf);
      assertEquals(buf.capacity(), buf.position(), t + " encode advances by n × size");
      assertEquals(ByteOrder.LITTLE_ENDIAN, buf.order());
      float[] back = new float[v.length + 3];
      buf.position(16);
      FloatCodec.decode(buf, t, back, 3, v.length);
      assertEquals(buf.capacity(), buf.position(), t + " decode advances by n × size");
      for (int i = 0; i < v.length; i++) {
        assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[3 + i]), t + " element " + i);
      }
    }
  }

  @Test
  void encodedBytesAreLittleEndianAsTheClosedFormsGive() {
    float x = 1.5f;
    ByteBuffer b = ByteBuffer.allocate(16);
    FloatCodec.encode(new float[] {x}, 0, 1, DType.F32, b);
    FloatCodec.encode(new float[] {x}, 0, 1, DType.F16, b);
    FloatCodec.encode(new float[] {x}, 0, 1, DType.BF16, b);
    FloatCodec.encode(new float[] {x}, 0, 1, DType.F64, b);
    byte[] want = {
        0x00, 0x00, (byte) 0xc0, 0x3f, // F32 0x3fc00000
        0x00, 0x3e, // F16 0x3e00
        (byte) 0xc0, 0x3f, // BF16 0x3fc0
        0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f}; // F64 0x3ff8000000000000
    assertArrayEquals(want, b.array());
  }

  @Test
  void halfBuffersOfEveryPatternRoundTripToTheSameBytes() {
    for (DType t : new DType[] {DType.F16, DType.BF16}) {
      ByteBuffer raw = ByteBuffer.allocate(2 * 0x10000).order(ByteOrder.LITTLE_ENDIAN);
      for (int h = 0; h < 0x10000; h++) {
        raw.putShort((short) h);
      }
      raw.flip();
      float[] v = new float[0x10000];
      FloatCodec.decode(raw.duplicate(), t, v, 0, v.length);
      ByteBuffer back = ByteBuffer.allocate(raw.capacity());
      FloatCodec.encode(v, 0, v.length, t, back);
      back.flip().order(ByteOrder.LITTLE_ENDIAN);
      for (int h = 0; h < 0x10000; h++) {
        int got = back.getShort(2 * h) & 0xffff;
        boolean nan = t == DType.F16 ? isHalfNaN(h) : isBf16NaN(h);
        if (nan) {
          assertTrue(t == DType.F16 ? isHalfNaN(got) : isBf16NaN(got), t + " NaN 0x" + Integer.toHexString(h));
        } else {
          assertEquals(h, got, t + " pattern 0x" + Integer.toHexString(h));
        }
      }
    }
  }

  @Test
  void f64DecodeRoundsToTheNearestFloat() {
    double[] d = {0.1, 1.0 / 3, 1e-50, 1e300, -2.5, Math.nextUp(1.0)};
    ByteBuffer b = ByteBuffer.allocate(8 * d.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : d) {
      b.putDouble(x);
    }
    b.flip();
    float[] v = new float[d.length];
    FloatCodec.decode(b, DType.F64, v, 0, d.length);
    for (int i = 0; i < d.length; i++) {
      assertEquals((float) d[i], v[i], 0f, "element " + i);
    }
  }

  @Test
  void integerDtypesAreRejected() {
    ByteBuffer b = ByteBuffer.allocate(64);
    float[] v = new float[4];
    for (DType t : DType.values()) {
      if (!t.isFloating()) {
        assertThrows(IllegalArgumentException.class, () -> FloatCodec.decode(b, t, v, 0, 1), t::toString);
        assertThrows(IllegalArgumentException.class, () -> FloatCodec.encode(v, 0, 1, t, b), t::toString);
      }
    }
  }
}
