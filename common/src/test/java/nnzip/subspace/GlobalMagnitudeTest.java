package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The global ranking against a slow obvious one: every element of every tensor as (|w| in double,
 * key, index), sorted, the first K kept; each tensor's kept set is then its own top-k_t.
 */
class GlobalMagnitudeTest {
  /**
   * The kept elements of each tensor when the first {@code k} of all elements are kept, ordered by
   * |w| descending (in double), then key ascending, then index ascending.
   */
  static Map<String, boolean[]> bruteForce(Map<String, float[]> points, int k) {
    record E(double abs, String key, int index) {}
    List<E> all = new ArrayList<>();
    points.forEach((key, w) -> {
      for (int i = 0; i < w.length; i++) {
        all.add(new E(Math.abs((double) w[i]), key, i));
      }
    });
    all.sort(Comparator.comparingDouble((E e) -> -e.abs()).thenComparing(E::key).thenComparingInt(E::index));
    Map<String, boolean[]> kept = new LinkedHashMap<>();
    points.forEach((key, w) -> kept.put(key, new boolean[w.length]));
    for (int i = 0; i < k; i++) {
      kept.get(all.get(i).key())[all.get(i).index()] = true;
    }
    return kept;
  }

  /** Tensors with many ties: values on a grid of 0.25, zeros among them, keys not in map order. */
  private static Map<String, float[]> tensors(long seed) {
    Random r = new Random(seed);
    Map<String, float[]> t = new LinkedHashMap<>();
    int[] sizes = {150, 2400, 7, 48000, 840};
    String[] keys = {"fc2.W", "conv1.W", "a.W", "fc1.W", "conv2.W"};
    for (int j = 0; j < sizes.length; j++) {
      float[] w = new float[sizes[j]];
      for (int i = 0; i < w.length; i++) {
        w[i] = Math.round(r.nextGaussian() * (j + 1) * 4) / 4f;
      }
      t.put(keys[j], w);
    }
    return t;
  }

  @Test
  void countsAndMasksAreTheBruteForceGlobalTopK() {
    Map<String, float[]> points = tensors(3);
    int n = points.values().stream().mapToInt(w -> w.length).sum();
    for (double alpha : new double[] {0, 0.0769, 0.3, 0.77, 1}) {
      double keep = SubspaceKind.keepFraction(alpha, SubspaceKind.LOWEST_KEEP);
      int k = SubspaceKind.keptElements(keep, n);
      Map<String, boolean[]> expected = bruteForce(points, k);
      Map<String, Integer> counts = GlobalMagnitude.keptCounts(points, keep);
      int sum = 0;
      for (Map.Entry<String, float[]> e : points.entrySet()) {
        boolean[] want = expected.get(e.getKey());
        int wantCount = 0;
        for (boolean b : want) {
          wantCount += b ? 1 : 0;
        }
        assertEquals(wantCount, (int) counts.get(e.getKey()), e.getKey() + " at alpha " + alpha);
        boolean[] kept = new boolean[want.length];
        float[] out = PointCompression.keepLargest(e.getValue(), counts.get(e.getKey()), kept);
        assertArrayEquals(want, kept, e.getKey() + " at alpha " + alpha);
        for (int i = 0; i < out.length; i++) {
          assertEquals(want[i] ? e.getValue()[i] : 0f, out[i]);
        }
        sum += counts.get(e.getKey());
      }
      assertEquals(k, sum);
    }
  }

  @Test
  void fullKeepKeepsEverythingAndMapOrderDoesNotMatter() {
    Map<String, float[]> points = tensors(5);
    GlobalMagnitude.keptCounts(points, 1).forEach((k, c) -> assertEquals(points.get(k).length, (int) c, k));
    Map<String, float[]> reversed = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(points.keySet());
    java.util.Collections.reverse(keys);
    keys.forEach(k -> reversed.put(k, points.get(k)));
    assertEquals(GlobalMagnitude.keptCounts(points, 0.1), GlobalMagnitude.keptCounts(reversed, 0.1));
  }

  @Test
  void aSlotCarriesEveryCountBitForBit() {
    for (int c : new int[] {0, 1, 15, (1 << 24) + 1, (1 << 30) - 3, 1 << 30}) {
      float s = GlobalMagnitude.slot(c);
      assertEquals(c, GlobalMagnitude.count(s));
      // What the optimizer does to a slot with zero gradient, and what a checkpoint does.
      assertEquals(c, GlobalMagnitude.count(s - 0f * 0.001f));
      assertEquals(c, GlobalMagnitude.count(java.nio.ByteBuffer.allocate(4).putFloat(0, s).getFloat(0)));
    }
    assertThrows(IllegalArgumentException.class, () -> GlobalMagnitude.slot(-1));
  }

  @Test
  void aPointOfTheGlobalScopeNeedsItsCount() {
    PointCompression c = new PointCompression(PointCompression.Mode.GLOBAL_MAGNITUDE, 0);
    assertThrows(IllegalStateException.class, () -> c.apply(new float[4], new long[] {2, 2}, 0.5, 0.025, null));
    assertThrows(IllegalArgumentException.class, () -> PointCompression.keepLargest(new float[4], 5, null));
    assertArrayEquals(new float[3], PointCompression.keepLargest(new float[] {1, -2, 3}, 0, null));
  }

  /** Quickselect against the sorted array, at every rank, on ties, runs, zeros and a NaN. */
  @Test
  void selectIsTheSortedArraysValueAtEveryRank() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(17);
    java.util.List<float[]> cases = new java.util.ArrayList<>();
    for (int n = 1; n <= 60; n++) {
      float[] few = new float[n];
      float[] any = new float[n];
      for (int i = 0; i < n; i++) {
        few[i] = rng.nextInt(4) * 0.5f;
        any[i] = (float) Math.abs(rng.nextGaussian());
      }
      cases.add(few);
      cases.add(any);
    }
    int big = 50_000;
    float[] ascending = new float[big];
    float[] descending = new float[big];
    float[] organ = new float[big];
    float[] equal = new float[big];
    float[] pruned = new float[big];
    for (int i = 0; i < big; i++) {
      ascending[i] = i;
      descending[i] = big - i;
      organ[i] = Math.min(i, big - i);
      equal[i] = 3f;
      pruned[i] = rng.nextInt(10) < 9 ? 0f : (float) Math.abs(rng.nextGaussian());
    }
    cases.addAll(List.of(ascending, descending, organ, equal, pruned));
    float[] withNaN = {3f, Float.NaN, 1f, 2f};
    cases.add(withNaN);
    for (float[] c : cases) {
      float[] sortedCopy = c.clone();
      Arrays.sort(sortedCopy);
      int step = c.length > 100 ? 997 : 1;
      for (int r = 0; r < c.length; r += step) {
        assertEquals(sortedCopy[r], GlobalMagnitude.select(c.clone(), r), "rank " + r + " of " + c.length);
      }
      assertEquals(sortedCopy[c.length - 1], GlobalMagnitude.select(c.clone(), c.length - 1));
    }
    assertThrows(IllegalArgumentException.class, () -> GlobalMagnitude.select(new float[3], 3));
  }
}
