package nnzip.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DatasetTest {

  /** n examples of 2 features; feature 0 is the example's index, so parts can be traced back. */
  private static Dataset indexed(int n) {
    float[] f = new float[2 * n];
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      f[2 * i] = i;
      f[2 * i + 1] = -i;
      l[i] = i % 3;
    }
    return new Dataset(f, l, n, 2, 3);
  }

  @Test
  void splitIsDeterministicForOneSeed() {
    Dataset d = indexed(1000);
    assertEquals(d.split(0.1, 42), d.split(0.1, 42));
    assertNotEquals(d.split(0.1, 42).validation(), d.split(0.1, 43).validation());
  }

  @Test
  void splitPartsAreDisjointAndCoverEveryExampleOnce() {
    Dataset d = indexed(1000);
    Dataset.Split s = d.split(0.25, 7);
    assertEquals(250, s.validation().n());
    assertEquals(750, s.train().n());
    BitSet seen = new BitSet();
    for (Dataset part : new Dataset[] {s.train(), s.validation()}) {
      for (int i = 0; i < part.n(); i++) {
        int index = (int) part.features()[2 * i];
        assertFalse(seen.get(index), "example " + index + " appears twice");
        seen.set(index);
        assertEquals(-index, part.features()[2 * i + 1]);
        assertEquals(index % 3, part.labels()[i]);
      }
    }
    assertEquals(1000, seen.cardinality());
  }

  @Test
  void splitKeepsTheOriginalOrderInsideEachPart() {
    Dataset.Split s = indexed(100).split(0.3, 1);
    for (Dataset part : new Dataset[] {s.train(), s.validation()}) {
      for (int i = 1; i < part.n(); i++) {
        assertTrue(part.features()[2 * i] > part.features()[2 * (i - 1)]);
      }
    }
  }

  @Test
  void splitRejectsFractionsThatLeaveAPartEmpty() {
    Dataset d = indexed(10);
    assertThrows(IllegalArgumentException.class, () -> d.split(0, 1));
    assertThrows(IllegalArgumentException.class, () -> d.split(1, 1));
    assertThrows(IllegalArgumentException.class, () -> d.split(0.01, 1));
    assertThrows(IllegalArgumentException.class, () -> d.split(Double.NaN, 1));
  }

  @Test
  void constructorRejectsInconsistentSizesAndLabels() {
    assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[5], new int[2], 2, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[4], new int[3], 2, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[4], new int[] {0, 3}, 2, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[4], new int[] {0, -1}, 2, 2, 3));
  }

  @Test
  void rowsAndHeadCopyTheChosenExamples() {
    Dataset d = indexed(5);
    Dataset picked = d.rows(new int[] {4, 1, 4});
    assertArrayEquals(new float[] {4, -4, 1, -1, 4, -4}, picked.features());
    assertArrayEquals(new int[] {1, 1, 1}, picked.labels());
    assertEquals(d.rows(new int[] {0, 1}), d.head(2));
    assertThrows(IndexOutOfBoundsException.class, () -> d.rows(new int[] {5}));
  }

  @Test
  void classCountsSumToTheExampleCount() {
    assertArrayEquals(new int[] {4, 3, 3}, indexed(10).classCounts());
  }

  @Test
  void permutationHoldsEveryIndexOnce() {
    int[] p = Dataset.permutation(1000, new SplittableRandom(3));
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i]);
    }
    assertFalse(Arrays.equals(p, sorted), "a permutation of 1000 that is the identity is not shuffled");
  }
}
