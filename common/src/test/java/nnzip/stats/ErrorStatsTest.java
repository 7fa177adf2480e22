package nnzip.stats;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ErrorStats against direct sums, and the mergeable-accumulator contract. */
class ErrorStatsTest {

  @Test
  void errorOfTwoArraysIsTheirSumOfSquaresAndLargestDifference() {
    float[] a = {1, 2, 3, 4};
    float[] b = {1, 2.5f, 2, 4};
    ErrorStats e = ErrorStats.of(a, b, 4);
    assertEquals(4, e.count());
    assertEquals(0.25 + 1, e.sumSquaredError(), 0);
    assertEquals(1, e.maxAbsError(), 0);
    assertEquals(1.25 / 4, e.mse(), 0);
    ErrorStats firstTwo = ErrorStats.of(a, b, 2);
    assertEquals(2, firstTwo.count(), "only n elements are compared");
    assertEquals(0.5, firstTwo.maxAbsError(), 0);
  }

  @Test
  void differencesAreTakenInDoubleSoNoPrecisionIsLost() {
    float x = 1e8f;
    float y = Math.nextUp(x); // 8 apart
    ErrorStats e = ErrorStats.of(new float[] {x}, new float[] {y}, 1);
    assertEquals(64, e.sumSquaredError(), 0);
    assertEquals(8, e.maxAbsError(), 0);
  }

  @Test
  void mergingShardsInAnyOrderEqualsOnePass() {
    SplittableRandom data = new SplittableRandom(1);
    int n = 10_000;
    float[] a = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) data.nextGaussian();
      b[i] = a[i] + (float) (0.01 * data.nextGaussian());
    }
    ErrorStats whole = ErrorStats.of(a, b, n);
    Random rnd = new Random(2);
    for (int trial = 0; trial < 20; trial++) {
      List<ErrorStats> parts = new ArrayList<>();
      for (int first = 0; first < n; ) {
        int m = Math.min(n - first, 1 + rnd.nextInt(700));
        parts.add(ErrorStats.of(Arrays.copyOfRange(a, first, first + m), Arrays.copyOfRange(b, first, first + m), m));
        first += m;
      }
      parts.add(ErrorStats.EMPTY);
      Collections.shuffle(parts, rnd);
      ErrorStats merged = ErrorStats.EMPTY;
      for (ErrorStats p : parts) {
        merged = rnd.nextBoolean() ? merged.merge(p) : p.merge(merged);
      }
      assertEquals(whole.count(), merged.count());
      assertEquals(whole.maxAbsError(), merged.maxAbsError(), 0, "max is exact in any order");
      assertEquals(whole.sumSquaredError(), merged.sumSquaredError(), 1e-12 * whole.sumSquaredError());
    }
  }

  @Test
  void relativeMseDividesByTheVariance() {
    ErrorStats e = new ErrorStats(10, 5, 1);
    assertEquals(0.5, e.mse());
    assertEquals(0.25, e.relativeMse(2));
    assertEquals(0, ErrorStats.EMPTY.mse());
    assertEquals(0, ErrorStats.EMPTY.relativeMse(0), "no error on a constant tensor is 0, not NaN");
    assertEquals(Double.POSITIVE_INFINITY, e.relativeMse(0), "error on a constant tensor is infinitely bad");
  }
}
