package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BeamEncoderTest {

  @Test
  void aBeamAsWideAsAllTuplesFindsTheExhaustiveOptimum() {
    for (int d = 2; d <= 4; d++) {
      for (int m = 2; m <= 3; m++) {
        Codebooks books = Fixtures.randomBooks(m, 4, d, 0.8, 10 * d + m);
        float[] x = Fixtures.gaussian(500, d, d + m);
        double[] best = Fixtures.exhaustive(books, x, 500);
        for (boolean tables : new boolean[] {true, false}) {
          Encoding enc = new BeamEncoder(books, (int) Math.pow(4, m), tables).encode(x, 500);
          for (int i = 0; i < 500; i++) {
            assertEquals(best[i], enc.errors()[i], 1e-5 * (1 + best[i]), "d=" + d + " M=" + m + " i=" + i);
          }
        }
      }
    }
  }

  @Test
  void reportedErrorsAreThoseOfTheReturnedCodes() {
    Codebooks books = Fixtures.randomBooks(3, 16, 8, 0.5, 1);
    float[] x = Fixtures.gaussian(300, 8, 2);
    Encoding enc = new BeamEncoder(books, 4).encode(x, 300);
    for (int i = 0; i < 300; i++) {
      int[] tuple = java.util.Arrays.copyOfRange(enc.codes(), 3 * i, 3 * i + 3);
      float[] xi = java.util.Arrays.copyOfRange(x, 8 * i, 8 * i + 8);
      assertEquals(Fixtures.error(books, tuple, xi, 1), enc.errors()[i], 1e-5);
    }
    assertEquals(Fixtures.error(books, enc.codes(), x, 300), enc.totalError(), 1e-3);
  }

  @Test
  void aLargerBeamNeverGivesAHigherErrorWithTwoCodebooks() {
    Codebooks books = Fixtures.randomBooks(2, 32, 8, 0.6, 3);
    float[] x = Fixtures.gaussian(2000, 8, 4);
    double[] previous = null;
    for (int beam : new int[] {1, 2, 4, 8, 32}) {
      double[] errors = new BeamEncoder(books, beam).encode(x, 2000).errors();
      if (previous != null) {
        for (int i = 0; i < errors.length; i++) {
          assertTrue(errors[i] <= previous[i] + 1e-5, "beam " + beam + " subvector " + i);
        }
      }
      previous = errors;
    }
  }

  @Test
  void aLargerBeamGivesALowerTotalErrorWithMoreCodebooks() {
    Codebooks books = Fixtures.randomBooks(4, 16, 8, 0.5, 5);
    float[] x = Fixtures.gaussian(2000, 8, 6);
    double previous = Double.POSITIVE_INFINITY;
    for (int beam : new int[] {1, 4, 16, 64}) {
      double total = new BeamEncoder(books, beam).encode(x, 2000).totalError();
      assertTrue(total <= previous, "beam " + beam + ": " + total + " > " + previous);
      previous = total;
    }
  }

  @Test
  void precomputedTablesGiveTheSameErrorsAsDirectDotProducts() {
    for (int m = 1; m <= 4; m++) {
      Codebooks books = Fixtures.randomBooks(m, 32, 8, 0.5, 20 + m);
      float[] x = Fixtures.gaussian(1000, 8, 30 + m);
      double[] tables = new BeamEncoder(books, 8, true).encode(x, 1000).errors();
      double[] direct = new BeamEncoder(books, 8, false).encode(x, 1000).errors();
      assertArrayEquals(direct, tables, 1e-4, "M=" + m);
    }
  }

  @Test
  void aSingleCodebookWithBeamOneIsNearestNeighbour() {
    Codebooks books = Fixtures.randomBooks(1, 50, 4, 1, 7);
    float[] x = Fixtures.gaussian(400, 4, 8);
    Encoding enc = new BeamEncoder(books, 1).encode(x, 400);
    assertArrayEquals(Fixtures.exhaustive(books, x, 400), enc.errors(), 1e-5);
  }

  @Test
  void rejectsNonFiniteSubvectors() {
    Codebooks books = Fixtures.randomBooks(2, 4, 4, 1, 11);
    float[] x = Fixtures.gaussian(3, 4, 12);
    x[6] = Float.NaN;
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new BeamEncoder(books, 2).encode(x, 3));
  }

  @Test
  void isDeterministicAndWritesOnlyTheFirstNTuples() {
    Codebooks books = Fixtures.randomBooks(2, 8, 4, 1, 9);
    float[] x = Fixtures.gaussian(100, 4, 10);
    int[] a = new int[2 * 101];
    int[] b = new int[2 * 101];
    a[200] = b[200] = -7;
    new BeamEncoder(books, 3).encode(x, 100, a, null);
    new BeamEncoder(books, 3).encode(x, 100, b, null);
    assertArrayEquals(a, b);
    assertEquals(-7, a[200]);
  }
}
