package nnzip.codec.entropy;

import nnzip.InvalidInputException;

/** The decoding half of {@link RangeEncoder}. */
final class RangeDecoder {
  private static final long TOP = 1L << 24;
  /** Bytes past the end a decoder may read as zeros (the encoder's flush covers them), no more. */
  private static final int SLACK = 4;

  private final byte[] in;
  private final int end;
  private int pos;
  private long range = 0xFFFFFFFFL;
  private long code;

  RangeDecoder(byte[] in, int off, int len) {
    this.in = in;
    this.pos = off;
    this.end = off + len;
    if (len < 5 || in[off] != 0) {
      throw new InvalidInputException("arithmetic-coded stream is " + (len < 5 ? "truncated" : "damaged")
          + " (bad start)");
    }
    for (int i = 0; i < 5; i++) {
      code = ((code << 8) | next()) & 0xFFFFFFFFL;
    }
  }

  /** Decodes one bit coded with probability {@code p0}/2^16 of a 0. */
  int decode(int p0) {
    long bound = (range >>> RangeEncoder.PROB_BITS) * p0;
    int bit;
    if (code < bound) {
      range = bound;
      bit = 0;
    } else {
      code -= bound;
      range -= bound;
      bit = 1;
    }
    while (range < TOP) {
      range <<= 8;
      code = ((code << 8) | next()) & 0xFFFFFFFFL;
    }
    return bit;
  }

  private int next() {
    if (pos < end) {
      return in[pos++] & 0xFF;
    }
    if (pos++ - end >= SLACK) {
      throw new InvalidInputException("arithmetic-coded stream is truncated (read past its end)");
    }
    return 0;
  }
}
