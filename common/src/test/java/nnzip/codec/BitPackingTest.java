package nnzip.codec;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** BitPacking against a naive bit-by-bit reference of the documented LSB-first layout. */
class BitPackingTest {
  private static final int[] WIDTHS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 24, 31, 32};

  /** Bit j of code i is bit (i*bits + j) % 8 of byte (i*bits + j) / 8. */
  private static byte[] packRef(int[] codes, int n, int bits) {
    byte[] out = new byte[(int) ((long) n * bits + 7) / 8];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < bits; j++) {
        if (((codes[i] >>> j) & 1) != 0) {
          long p = (long) i * bits + j;
          out[(int) (p / 8)] |= (byte) (1 << (p % 8));
        }
      }
    }
    return out;
  }

  private static int[] unpackRef(byte[] in, int n, int bits) {
    int[] codes = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < bits; j++) {
        long p = (long) i * bits + j;
        if (((in[(int) (p / 8)] >>> (p % 8)) & 1) != 0) {
          codes[i] |= 1 << j;
        }
      }
    }
    return codes;
  }

  private static int[] randomCodes(SplittableRandom rnd, int n, int bits) {
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = (int) rnd.nextLong(1L << bits);
    }
    return c;
  }

  @Test
  void packingMatchesTheBitByBitReferenceForEveryWidth() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int bits : WIDTHS) {
      for (int n : new int[] {0, 1, 7, 8, 9, 63, 1000, 1001}) {
        int[] codes = randomCodes(rnd, n, bits);
        byte[] want = packRef(codes, n, bits);
        byte[] got = new byte[want.length];
        BitPacking.pack(codes, n, bits, got, 0);
        assertArrayEquals(want, got, "bits " + bits + ", n " + n);
        int[] back = new int[n];
        BitPacking.unpack(got, 0, n, bits, back);
        assertArrayEquals(codes, back, "round trip, bits " + bits + ", n " + n);
        assertArrayEquals(unpackRef(got, n, bits), back, "unpack vs reference, bits " + bits + ", n " + n);
      }
    }
  }

  @Test
  void extremeCodesSurviveForEveryWidth() {
    for (int bits = 1; bits <= 32; bits++) {
      int max = bits == 32 ? -1 : (1 << bits) - 1;
      int[] codes = {max, 0, max, 1, max, max, 0, max, max};
      byte[] packed = new byte[(int) BitPacking.packedBytes(codes.length, bits)];
      BitPacking.pack(codes, codes.length, bits, packed, 0);
      assertArrayEquals(packRef(codes, codes.length, bits), packed, "bits " + bits);
      int[] back = new int[codes.length];
      BitPacking.unpack(packed, 0, codes.length, bits, back);
      assertArrayEquals(codes, back, "bits " + bits);
    }
  }

  @Test
  void packedBytesIsTheCeilingOfCountTimesBitsOverEight() {
    for (int bits = 1; bits <= 32; bits++) {
      for (long n = 0; n < 40; n++) {
        assertEquals((n * bits + 7) / 8, BitPacking.packedBytes(n, bits), "bits " + bits + ", n " + n);
        assertEquals(packRef(new int[(int) n], (int) n, bits).length, BitPacking.packedBytes(n, bits));
      }
    }
    assertEquals(3L * (1L << 40), BitPacking.packedBytes(1L << 43, 3), "large counts do not overflow int");
    assertThrows(ArithmeticException.class, () -> BitPacking.packedBytes(Long.MAX_VALUE / 2, 16));
  }

  @Test
  void shardsOfMultipleOfEightCodesConcatenateToTheWholePacking() {
    SplittableRandom rnd = new SplittableRandom(4);
    for (int bits : WIDTHS) {
      int n = 8 * 37 + 5;
      int[] codes = randomCodes(rnd, n, bits);
      byte[] whole = new byte[(int) BitPacking.packedBytes(n, bits)];
      BitPacking.pack(codes, n, bits, whole, 0);
      // Shards of 8, 24, 64, ... codes, then the remainder as the last shard.
      byte[] joined = new byte[whole.length];
      int[] shardSizes = {8, 24, 64, 8, 160};
      int first = 0;
      int offset = 0;
      for (int s = 0; first < n; s++) {
        int count = s < shardSizes.length ? shardSizes[s] : n - first;
        int[] part = Arrays.copyOfRange(codes, first, first + count);
        int len = (int) BitPacking.packedBytes(count, bits);
        BitPacking.pack(part, count, bits, joined, offset);
        offset += len;
        first += count;
      }
      assertEquals(whole.length, offset, "bits " + bits);
      assertArrayEquals(whole, joined, "bits " + bits);
      // And unpacking from a byte offset inside the whole reads a shard back.
      int[] shard = new int[64];
      BitPacking.unpack(whole, (int) BitPacking.packedBytes(32, bits), 64, bits, shard);
      assertArrayEquals(Arrays.copyOfRange(codes, 32, 96), shard, "bits " + bits);
    }
  }

  @Test
  void packingOverwritesTheBytesItTouchesAndLeavesTheRestAlone() {
    int bits = 5;
    int[] codes = {1, 2, 3};
    byte[] out = new byte[8];
    Arrays.fill(out, (byte) 0xff);
    BitPacking.pack(codes, 3, bits, out, 2);
    byte[] ref = packRef(codes, 3, bits);
    assertEquals((byte) 0xff, out[0]);
    assertEquals((byte) 0xff, out[1]);
    assertArrayEquals(ref, Arrays.copyOfRange(out, 2, 2 + ref.length), "trailing bits of the last byte are zero");
    for (int i = 2 + ref.length; i < out.length; i++) {
      assertEquals((byte) 0xff, out[i], "byte " + i);
    }
  }

  @Test
  void codesTooLargeForTheWidthAreRejected() {
    for (int bits = 1; bits < 32; bits++) {
      int[] codes = {0, 1 << bits};
      int b = bits;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BitPacking.pack(codes, 2, b, new byte[16], 0), "bits " + bits);
      assertTrue(e.getMessage().contains("at 1"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> BitPacking.pack(new int[] {-1}, 1, 31, new byte[8], 0),
        "a negative code is too large for any width below 32");
  }

  @Test
  void widthsOutsideOneToThirtyTwoAreRejected() {
    for (int bits : new int[] {0, -1, 33}) {
      assertThrows(IllegalArgumentException.class, () -> BitPacking.packedBytes(8, bits));
      assertThrows(IllegalArgumentException.class, () -> BitPacking.pack(new int[8], 8, bits, new byte[64], 0));
      assertThrows(IllegalArgumentException.class, () -> BitPacking.unpack(new byte[64], 0, 8, bits, new int[8]));
    }
  }
}
