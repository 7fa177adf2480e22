package nnzip.stats;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Moments against a two-pass double reference, and the mergeable-accumulator contract. */
class MomentsTest {

  private static float[] data(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.3 + 0.05 * rnd.nextGaussian());
    }
    return x;
  }

  private static Moments onePass(float[] x) {
    Moments m = new Moments();
    m.add(x, x.length, 0);
    return m;
  }

  /** Merges random contiguous pieces of {@code x} as a random tree. */
  private static Moments randomlyMerged(float[] x, Random rnd) {
    List<Moments> parts = new ArrayList<>();
    for (int first = 0; first < x.length; ) {
      int n = Math.min(x.length - first, 1 + rnd.nextInt(x.length / 5 + 1));
      Moments m = new Moments();
      m.add(Arrays.copyOfRange(x, first, first + n), n, first);
      parts.add(m);
      first += n;
    }
    parts.add(new Moments());
    while (parts.size() > 1) {
      Moments a = parts.remove(rnd.nextInt(parts.size()));
      Moments b = parts.remove(rnd.nextInt(parts.size()));
      parts.add(a.merge(b));
    }
    return parts.get(0);
  }

  @Test
  void meanAndVarianceMatchATwoPassReference() {
    float[] x = data(100_000, 1);
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double ss = 0;
    for (float v : x) {
      ss += (v - mean) * (v - mean);
    }
    double variance = ss / x.length;
    Moments m = onePass(x);
    assertEquals(x.length, m.count());
    assertEquals(mean, m.mean(), 1e-12 * Math.abs(mean));
    assertEquals(variance, m.variance(), 1e-9 * variance);
    assertEquals(0, m.nonFinite());
    assertEquals(-1, m.firstNonFinite());
  }

  @Test
  void mergingInAnySplitAndOrderEqualsOnePass() {
    float[] x = data(20_000, 2);
    Moments whole = onePass(x);
    Random rnd = new Random(3);
    for (int trial = 0; trial < 30; trial++) {
      Moments m = randomlyMerged(x, rnd);
      assertEquals(whole.count(), m.count(), "trial " + trial);
      // Sums in another order round differently, but only in the last digits.
      assertEquals(whole.mean(), m.mean(), 1e-13, "trial " + trial);
      assertEquals(whole.variance(), m.variance(), 1e-10 * whole.variance(), "trial " + trial);
    }
  }

  @Test
  void nonFiniteValuesAreCountedAndTheFirstIsFoundWhateverTheMergeOrder() {
    float[] x = data(1000, 4);
    x[417] = Float.NaN;
    x[600] = Float.POSITIVE_INFINITY;
    x[999] = Float.NEGATIVE_INFINITY;
    float[] finite = x.clone();
    finite[417] = finite[600] = finite[999] = 0;
    Moments whole = onePass(x);
    assertEquals(3, whole.nonFinite());
    assertEquals(417, whole.firstNonFinite());
    assertEquals(997, whole.count(), "non-finite values are not counted as values");
    Random rnd = new Random(5);
    for (int trial = 0; trial < 30; trial++) {
      Moments m = randomlyMerged(x, rnd);
      assertEquals(3, m.nonFinite(), "trial " + trial);
      assertEquals(417, m.firstNonFinite(), "trial " + trial);
      assertEquals(997, m.count(), "trial " + trial);
      assertEquals(whole.mean(), m.mean(), 1e-13, "trial " + trial);
    }
  }

  @Test
  void theFirstNonFiniteIsTheSmallestIndexEvenWhenShardsArriveBackwards() {
    Moments late = new Moments();
    late.add(new float[] {Float.NaN, 1}, 2, 100);
    Moments early = new Moments();
    early.add(new float[] {1, Float.NaN}, 2, 10);
    assertEquals(11, late.merge(early).firstNonFinite());
    assertEquals(11, early.merge(late).firstNonFinite());
    Moments clean = new Moments();
    clean.add(new float[] {1, 2}, 2, 0);
    assertEquals(100, clean.merge(late).firstNonFinite());
    assertEquals(100, late.merge(clean).firstNonFinite());
    assertEquals(-1, clean.merge(new Moments()).firstNonFinite());
  }

  @Test
  void mergingLeavesBothArgumentsUnchanged() {
    Moments a = new Moments();
    a.add(new float[] {1, 2, 3}, 3, 0);
    Moments b = new Moments();
    b.add(new float[] {Float.NaN, 10}, 2, 3);
    Moments ab = a.merge(b);
    assertEquals(4, ab.count());
    assertEquals(3, a.count());
    assertEquals(2.0, a.mean());
    assertEquals(0, a.nonFinite());
    assertEquals(1, b.count());
    assertEquals(3, b.firstNonFinite());
  }

  @Test
  void anEmptyOrConstantTensorHasZeroVariance() {
    assertEquals(0, new Moments().variance());
    assertEquals(0, new Moments().mean());
    float[] c = new float[1000];
    Arrays.fill(c, 0.1f);
    Moments m = onePass(c);
    assertEquals(0.1f, m.mean(), 1e-12);
    assertTrue(m.variance() >= 0 && m.variance() < 1e-12, "variance " + m.variance());
  }
}
