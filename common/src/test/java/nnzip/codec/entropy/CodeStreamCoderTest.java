package nnzip.codec.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.codec.BitPacking;
import org.junit.jupiter.api.Test;

/**
 * The code-stream coder against independent references: exact round trips; coded size against the
 * empirical order-0 entropy computed here (an i.i.d. source cannot be coded below it, and an
 * adaptive coder should come close); a source with dead columns coded clearly below its order-0
 * entropy, which only the neighbour contexts can achieve; damage reported, never an index error.
 */
class CodeStreamCoderTest {
  private static int[] roundTrip(int[] codes, int off, int n, int bits, int row) {
    byte[] coded = CodeStreamCoder.encode(codes, off, n, bits, row);
    int[] out = new int[n + 3];
    CodeStreamCoder.decode(coded, 0, coded.length, n, bits, row, out, 3);
    return Arrays.copyOfRange(out, 3, n + 3);
  }

  private static int[] uniform(int n, int bits, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = r.nextInt(1 << bits);
    }
    return c;
  }

  /** Code 0 with probability p, else uniform over the other 2^bits − 1 codes. */
  private static int[] skewed(int n, int bits, double p, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = r.nextDouble() < p ? 0 : 1 + r.nextInt((1 << bits) - 1);
    }
    return c;
  }

  /** Bits of n × the empirical order-0 entropy of the codes. */
  private static double order0Bits(int[] codes, int bits) {
    long[] count = new long[1 << bits];
    for (int c : codes) {
      count[c]++;
    }
    double h = 0;
    for (long k : count) {
      if (k > 0) {
        double p = (double) k / codes.length;
        h -= k * Math.log(p) / Math.log(2);
      }
    }
    return h;
  }

  @Test
  void roundTripsAreExactForEveryWidthSizeAndRowLayout() {
    for (int bits : new int[] {1, 2, 3, 4, 5, 8, 12, 16}) {
      for (int n : new int[] {0, 1, 2, 7, 1001}) {
        int[] codes = uniform(n + 5, bits, bits * 31L + n);
        for (int row : new int[] {0, 1, 10, n, 3 * n + 1}) {
          int[] want = Arrays.copyOfRange(codes, 5, n + 5);
          assertArrayEquals(want, roundTrip(codes, 5, n, bits, row), "bits " + bits + " n " + n + " row " + row);
        }
      }
    }
    int[] sparse = skewed(300 * 784, 3, 0.95, 1);
    assertArrayEquals(sparse, roundTrip(sparse, 0, sparse.length, 3, 784));
  }

  @Test
  void anIidSkewedSourceCodesCloseToItsOrder0Entropy() {
    int[] codes = skewed(200_000, 3, 0.95, 2);
    double bound = order0Bits(codes, 3);
    long coded = 8L * CodeStreamCoder.encode(codes, 0, codes.length, 3, 0).length;
    // Adaptive coding of a source with no structure: within 3% of its entropy (the cost of learning).
    assertTrue(coded < 1.03 * bound + 64, coded + " bits vs entropy " + bound);
    assertTrue(coded > 0.99 * bound, "below the entropy of an i.i.d. source? " + coded + " vs " + bound);
  }

  @Test
  void uniformCodesCostBarelyMoreThanPacking() {
    int[] codes = uniform(100_000, 3, 3);
    long coded = CodeStreamCoder.encode(codes, 0, codes.length, 3, 500).length;
    long packed = BitPacking.packedBytes(codes.length, 3);
    assertTrue(coded < 1.03 * packed, coded + " vs packed " + packed);
  }

  /** Dead columns (as never-lit input pixels give): the "above" context sees them; order-0 cannot. */
  @Test
  void neighbourContextsBeatTheOrder0EntropyOnDeadColumns() {
    int rows = 300;
    int row = 784;
    SplittableRandom r = new SplittableRandom(4);
    boolean[] dead = new boolean[row];
    for (int j = 0; j < row; j++) {
      dead[j] = r.nextDouble() < 0.4;
    }
    int[] codes = new int[rows * row];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = dead[i % row] || r.nextDouble() < 0.85 ? 3 : r.nextInt(8);
    }
    double bound = order0Bits(codes, 3);
    // An oracle that knows which columns are dead pays nothing for them and the order-0 entropy of the rest.
    int[] live = java.util.stream.IntStream.range(0, codes.length).filter(i -> !dead[i % row]).map(i -> codes[i])
        .toArray();
    double oracle = order0Bits(live, 3);
    long coded = 8L * CodeStreamCoder.encode(codes, 0, codes.length, 3, row).length;
    assertTrue(coded < bound, coded + " bits vs order-0 entropy " + bound);
    assertTrue(coded < 1.03 * oracle + 64, coded + " bits vs the oracle's " + oracle);
    assertArrayEquals(codes, roundTrip(codes, 0, codes.length, 3, row));
  }

  @Test
  void encodingIsDeterministic() {
    int[] codes = skewed(50_000, 4, 0.9, 5);
    assertArrayEquals(CodeStreamCoder.encode(codes, 0, codes.length, 4, 100),
        CodeStreamCoder.encode(codes, 0, codes.length, 4, 100));
  }

  @Test
  void damageIsAnInvalidInputOrOtherCodesNeverAnIndexError() {
    int[] codes = skewed(20_000, 3, 0.9, 6);
    byte[] coded = CodeStreamCoder.encode(codes, 0, codes.length, 3, 100);
    int[] out = new int[codes.length];
    // Truncation: the decoder runs out of bytes.
    assertThrows(InvalidInputException.class,
        () -> CodeStreamCoder.decode(coded, 0, coded.length / 2, codes.length, 3, 100, out, 0));
    assertThrows(InvalidInputException.class, () -> CodeStreamCoder.decode(new byte[3], 0, 3, 10, 3, 0, out, 0));
    // Garbage: whatever comes out is in range (the artifact's digests catch the damage before this).
    SplittableRandom r = new SplittableRandom(7);
    for (int trial = 0; trial < 50; trial++) {
      byte[] junk = new byte[200];
      r.nextBytes(junk);
      junk[0] = 0;
      try {
        CodeStreamCoder.decode(junk, 0, junk.length, 500, 3, 0, out, 0);
        assertTrue(Arrays.stream(out, 0, 500).allMatch(c -> c >= 0 && c < 8));
      } catch (InvalidInputException expected) {
        // ran past its end
      }
    }
    assertThrows(IllegalArgumentException.class, () -> CodeStreamCoder.encode(new int[] {8}, 0, 1, 3, 0));
    assertThrows(IllegalArgumentException.class, () -> CodeStreamCoder.encode(new int[] {-1}, 0, 1, 3, 0));
  }
}
