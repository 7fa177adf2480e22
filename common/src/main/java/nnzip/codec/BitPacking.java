package nnzip.codec;

/**
 * Packs code indices of a fixed bit width (1..32) into bytes, least significant bit first: bit j
 * of code i is bit {@code (i*bits + j) % 8} of byte {@code (i*bits + j) / 8}. A run of codes whose
 * count is a multiple of 8 fills whole bytes, so shards packed separately concatenate exactly.
 */
public final class BitPacking {
  private BitPacking() {}

  /** Bytes needed for {@code count} codes of {@code bits} bits: ceil(count × bits / 8). */
  public static long packedBytes(long count, int bits) {
    checkBits(bits);
    return (Math.multiplyExact(count, (long) bits) + 7) >>> 3;
  }

  /**
   * Packs {@code codes[0..n)} into {@code out} starting at byte {@code outOff}; the bytes touched
   * are overwritten (not OR-ed), trailing bits of the last byte are zero.
   *
   * @param codes code indices, each in [0, 2^bits)
   * @param n number of codes
   * @param bits bit width, 1..32
   * @param out destination, at least outOff + packedBytes(n, bits) long
   * @throws IllegalArgumentException if a code does not fit in {@code bits}
   */
  public static void pack(int[] codes, int n, int bits, byte[] out, int outOff) {
    checkBits(bits);
    long mask = bits == 32 ? 0xffffffffL : (1L << bits) - 1;
    long acc = 0;
    int filled = 0;
    int o = outOff;
    for (int i = 0; i < n; i++) {
      long c = codes[i] & 0xffffffffL;
      if ((c & ~mask) != 0) {
        throw new IllegalArgumentException("code " + codes[i] + " at " + i + " does not fit in " + bits + " bits");
      }
      acc |= c << filled;
      filled += bits;
      while (filled >= 8) {
        out[o++] = (byte) acc;
        acc >>>= 8;
        filled -= 8;
      }
    }
    if (filled > 0) {
      out[o] = (byte) acc;
    }
  }

  /**
   * Unpacks {@code n} codes of {@code bits} bits from {@code in} starting at byte {@code inOff}
   * into {@code codes[0..n)}.
   */
  public static void unpack(byte[] in, int inOff, int n, int bits, int[] codes) {
    checkBits(bits);
    long mask = bits == 32 ? 0xffffffffL : (1L << bits) - 1;
    long acc = 0;
    int filled = 0;
    int p = inOff;
    for (int i = 0; i < n; i++) {
      while (filled < bits) {
        acc |= (in[p++] & 0xffL) << filled;
        filled += 8;
      }
      codes[i] = (int) (acc & mask);
      acc >>>= bits;
      filled -= bits;
    }
  }

  private static void checkBits(int bits) {
    if (bits < 1 || bits > 32) {
      throw new IllegalArgumentException("bit width must be in 1..32, got " + bits);
    }
  }
}
