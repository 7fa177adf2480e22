package nnzip.codec.entropy;

import java.io.ByteArrayOutputStream;

/**
 * The encoding half of a binary range coder in LZMA's form: a 32-bit range, a 33-bit low whose carry
 * is propagated through a run of pending 0xFF bytes, probabilities of a 0 bit in 16-bit fixed point.
 */
final class RangeEncoder {
  static final int PROB_BITS = 16;
  private static final long TOP = 1L << 24;

  private final ByteArrayOutputStream out;
  private long low;
  private long range = 0xFFFFFFFFL;
  private int cache;
  private long pending = 1;

  RangeEncoder(int expectedBytes) {
    out = new ByteArrayOutputStream(Math.max(16, expectedBytes));
  }

  /** Codes {@code bit} with probability {@code p0}/2^16 of a 0, p0 in (0, 2^16). */
  void encode(int bit, int p0) {
    long bound = (range >>> PROB_BITS) * p0;
    if (bit == 0) {
      range = bound;
    } else {
      low += bound;
      range -= bound;
    }
    while (range < TOP) {
      range <<= 8;
      shiftLow();
    }
  }

  private void shiftLow() {
    if (low < 0xFF000000L || low > 0xFFFFFFFFL) {
      int carry = (int) (low >>> 32);
      int b = cache;
      do {
        out.write((b + carry) & 0xFF);
        b = 0xFF;
      } while (--pending != 0);
      cache = (int) ((low >>> 24) & 0xFF);
    }
    pending++;
    low = (low & 0x00FFFFFFL) << 8;
  }

  /** Flushes the state and returns every byte written. */
  byte[] finish() {
    for (int i = 0; i < 5; i++) {
      shiftLow();
    }
    return out.toByteArray();
  }
}
