package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CodebookTest {

  /** Nearest level by scanning, the upper one on an exact tie. */
  private static int nearest(float[] levels, float x) {
    int best = 0;
    for (int i = 1; i < levels.length; i++) {
      if (Math.abs((double) x - levels[i]) <= Math.abs((double) x - levels[best])) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void encodesEveryValueToItsNearestLevel() {
    SplittableRandom r = new SplittableRandom(4);
    for (int c : new int[] {1, 2, 3, 7, 16, 255, 256, 257}) {
      float[] levels = Samples.gaussian(c, c);
      java.util.Arrays.sort(levels);
      Codebook book = Codebook.of(levels);
      for (int i = 0; i < 2000; i++) {
        float x = (float) (4 * r.nextGaussian());
        assertEquals(nearest(levels, x), book.encode(x), "x=" + x + " c=" + c);
      }
      for (float level : levels) {
        assertEquals(level, book.decode(book.encode(level)));
      }
    }
  }

  @Test
  void sendsAValueOnAMidpointUpAndOutOfRangeValuesToTheEnds() {
    Codebook book = Codebook.of(new float[] {-1, 0, 2});
    assertArrayEquals(new double[] {-0.5, 1}, book.thresholds());
    assertEquals(1, book.encode(-0.5f));
    assertEquals(0, book.encode(Math.nextDown(-0.5f)));
    assertEquals(2, book.encode(1f));
    assertEquals(0, book.encode(-1e30f));
    assertEquals(2, book.encode(Float.POSITIVE_INFINITY));
    int[] codes = new int[3];
    book.encode(new float[] {5, -5, 0.1f}, 3, codes);
    assertArrayEquals(new int[] {2, 0, 1}, codes);
    assertEquals(2f, book.decode(2));
  }

  @Test
  void halfTableAgreesWithEncodeOnEveryFinitePattern() {
    Codebook book = Codebook.of(new float[] {-0.75f, -0.1f, 0f, 0.003f, 0.5f, 1.25f});
    for (HalfFormat f : HalfFormat.values()) {
      int[] table = book.halfTable(f);
      assertEquals(65_536, table.length);
      for (int p = 0; p < table.length; p++) {
        float v = f.value(p);
        assertEquals(Float.isNaN(v) ? -1 : book.encode(v), table[p], f + " pattern " + p);
      }
    }
  }

  @Test
  void rejectsEmptyDescendingOrNonFiniteLevels() {
    assertThrows(IllegalArgumentException.class, () -> Codebook.of(new float[0]));
    assertThrows(IllegalArgumentException.class, () -> Codebook.of(new float[] {1, 0}));
    assertThrows(IllegalArgumentException.class, () -> Codebook.of(new float[] {0, Float.NaN}));
    assertThrows(IllegalArgumentException.class, () -> Codebook.of(new float[65_537]));
    assertEquals(2, Codebook.of(new float[] {1, 1}).size());
  }
}
