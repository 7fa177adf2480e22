package nnzip.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.train.ParameterValues;
import org.junit.jupiter.api.Test;

/**
 * Magnitude pruning's masks against a brute-force reference (sort every weight by magnitude), its
 * cubic schedule against the closed form, and mask recomputation after a resume.
 */
class MagnitudePrunerTest {
  private static ParameterValues params(long seed, int... sizes) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<String> names = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    float[][] v = new float[sizes.length][];
    for (int t = 0; t < sizes.length; t++) {
      names.add("t" + t);
      shapes.add(new long[] {sizes[t]});
      v[t] = new float[sizes[t]];
      double scale = 1 + t; // tensors of different scales, so global and per-tensor thresholds differ
      for (int i = 0; i < sizes[t]; i++) {
        v[t][i] = (float) (scale * rng.nextGaussian());
      }
    }
    return new ParameterValues(names, shapes, v);
  }

  /** Reference: the k smallest |w| over the given tensors, by sorting (tensor, index) pairs. */
  private static boolean[][] bruteForceMask(ParameterValues p, List<String> tensors, long k) {
    record Item(float mag, int tensor, int index, int position) {}
    List<Item> all = new ArrayList<>();
    int pos = 0;
    for (int t = 0; t < tensors.size(); t++) {
      float[] w = p.get(tensors.get(t));
      for (int i = 0; i < w.length; i++) {
        all.add(new Item(Math.abs(w[i]), t, i, pos++));
      }
    }
    all.sort(Comparator.comparingDouble(Item::mag).thenComparingInt(Item::position));
    boolean[][] m = new boolean[tensors.size()][];
    for (int t = 0; t < m.length; t++) {
      m[t] = new boolean[p.get(tensors.get(t)).length];
    }
    for (int i = 0; i < k; i++) {
      m[all.get(i).tensor()][all.get(i).index()] = true;
    }
    return m;
  }

  private static boolean[] zeros(float[] w) {
    boolean[] z = new boolean[w.length];
    for (int i = 0; i < w.length; i++) {
      z[i] = w[i] == 0;
    }
    return z;
  }

  @Test
  void globalMaskZeroesTheSmallestMagnitudesOverAllTensors() {
    ParameterValues p = params(1, 500, 0, 1200, 77);
    List<String> tensors = List.of("t0", "t1", "t2", "t3");
    ParameterValues original = p.copy();
    MagnitudePruner pruner = new MagnitudePruner(tensors, 0.8, true, 10, 1, 1.0);
    pruner.startStep(1, 9, p); // the last ramp step: the full sparsity
    assertEquals(0.8, pruner.sparsityAt(9), 1e-12);
    boolean[][] want = bruteForceMask(original, tensors, Math.round(0.8 * 1777));
    for (int t = 0; t < tensors.size(); t++) {
      assertArrayEquals(want[t], zeros(p.get(tensors.get(t))), "tensor " + t);
    }
    // The larger-scale tensor keeps more of its weights under one threshold.
    assertTrue(share(p.get("t2")) > share(p.get("t0")));
  }

  @Test
  void perTensorMaskGivesEachTensorTheSameShare() {
    ParameterValues p = params(2, 300, 1000);
    ParameterValues original = p.copy();
    MagnitudePruner pruner = new MagnitudePruner(List.of("t0", "t1"), 0.9, false, 4, 2, 0.5);
    pruner.startStep(2, 3, p);
    for (String t : List.of("t0", "t1")) {
      float[] w = original.get(t);
      assertArrayEquals(bruteForceMask(original, List.of(t), Math.round(0.9 * w.length))[0], zeros(p.get(t)), t);
    }
    assertEquals(0.9, pruner.measuredSparsity(p), 1e-9);
  }

  @Test
  void scheduleFollowsTheCubicRampAndOnlyGrows() {
    MagnitudePruner pruner = new MagnitudePruner(List.of(), 0.95, true, 100, 4, 0.5);
    // Ramp of 200 steps, updated every 200 / 32 = 6 steps.
    double last = 0;
    for (long t = 0; t < 400; t++) {
      double s = pruner.sparsityAt(t);
      assertTrue(s >= last && s <= 0.95 + 1e-12, "step " + t + ": " + s);
      last = s;
      long q = Math.min(200, t / 6 * 6 + 6);
      assertEquals(0.95 * (1 - Math.pow(1 - q / 200.0, 3)), s, 1e-12, "step " + t);
    }
    assertEquals(0.95, pruner.sparsityAt(200), 1e-12);
    assertTrue(pruner.sparsityAt(0) > 0);
  }

  /** After a resume, a fresh pruner recomputes the mask from the pruned weights and picks the same ones. */
  @Test
  void aFreshPrunerRecomputesTheSameMaskFromPrunedWeights() {
    ParameterValues p = params(3, 400, 900);
    MagnitudePruner first = new MagnitudePruner(List.of("t0", "t1"), 0.7, true, 50, 2, 0.8);
    first.startStep(1, 30, p);
    // Training moves the surviving weights; the pruned ones stay at zero.
    for (float[] w : p.values()) {
      for (int i = 0; i < w.length; i++) {
        w[i] = w[i] == 0 ? 0 : w[i] * 1.01f;
      }
    }
    ParameterValues again = p.copy();
    first.startStep(1, 31, p);
    MagnitudePruner fresh = new MagnitudePruner(List.of("t0", "t1"), 0.7, true, 50, 2, 0.8);
    fresh.startEpoch(1, again);
    fresh.startStep(1, 31, again);
    assertEquals(p, again);
  }

  private static double share(float[] w) {
    int kept = 0;
    for (float x : w) {
      kept += x != 0 ? 1 : 0;
    }
    return (double) kept / w.length;
  }

  /**
   * The selection behind every mask marks exactly what sorting marks, on weights full of ties (exact
   * zeros of both signs, repeated magnitudes of both signs) for every count from none to all.
   */
  @Test
  void selectionMarksWhatSortingMarksEvenAmongTies() {
    SplittableRandom rng = new SplittableRandom(8);
    float[][] v = new float[3][];
    for (int t = 0; t < v.length; t++) {
      v[t] = new float[40 + 30 * t];
      for (int i = 0; i < v[t].length; i++) {
        int kind = rng.nextInt(4);
        v[t][i] = kind == 0 ? 0f : kind == 1 ? -0f : (rng.nextBoolean() ? 1 : -1) * (1 + rng.nextInt(5)) * 0.25f;
      }
    }
    ParameterValues p = new ParameterValues(List.of("a", "b", "c"),
        List.of(new long[] {v[0].length}, new long[] {v[1].length}, new long[] {v[2].length}), v);
    int n = v[0].length + v[1].length + v[2].length;
    for (int count = 0; count <= n; count++) {
      boolean[][] got = MagnitudePruner.smallest(List.of(v), count);
      boolean[][] want = bruteForceMask(p, List.of("a", "b", "c"), count);
      for (int t = 0; t < v.length; t++) {
        assertArrayEquals(want[t], got[t], "count " + count + ", tensor " + t);
      }
    }
  }
}
