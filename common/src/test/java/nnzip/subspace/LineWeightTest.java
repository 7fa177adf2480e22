package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import nnzip.codec.uniform.UniformCodec;
import nnzip.train.WeightBinding;
import org.junit.jupiter.api.Test;

class LineWeightTest {
  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) r.nextGaussian();
    }
    return w;
  }

  @Test
  void alphaZeroAndOneAreTheEndpointsExactly() {
    float[] w0 = random(500, 1);
    float[] w1 = random(500, 2);
    assertArrayEquals(w0, LineWeight.point(w0, w1, 0f));
    assertArrayEquals(w1, LineWeight.point(w0, w1, 1f));
    LineWeight b = new LineWeight("p", new long[] {20, 25}, PointCompression.NONE);
    float[] p = LineWeight.parameter(w0, w1);
    p[1000] = 0f;
    assertArrayEquals(w0, b.decode(p));
    p[1000] = 1f;
    assertArrayEquals(w1, b.decode(p));
  }

  @Test
  void gradientIsTheChainRuleThroughTheMaskAgainstFiniteDifferences() {
    long[] shape = {6, 5};
    float[] w0 = random(30, 3);
    float[] w1 = random(30, 4);
    float[] upstream = random(30, 5);
    for (PointCompression c : new PointCompression[] {PointCompression.NONE,
        new PointCompression(PointCompression.Mode.CHANNELS, 0)}) {
      LineWeight b = new LineWeight("p", shape, c);
      float[] p = LineWeight.parameter(w0, w1);
      p[60] = 0.3f;
      float[] grad = new float[p.length];
      b.addGradient(p, upstream, grad);
      assertCentralDifferences(b, p, upstream, grad, c.mode().toString());
    }
  }

  @Test
  void oneDecodeServesTheGradientOfEveryChunkThroughItsMask() {
    // Magnitudes 0.2 apart in a shuffled order, so the central differences below never cross the
    // ranking's threshold and the mask is no prefix.
    long[] shape = {6, 5};
    int n = 30;
    java.util.List<Integer> order = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, new Random(11));
    float[] w0 = new float[n];
    float[] w1 = new float[n];
    for (int i = 0; i < n; i++) {
      w0[i] = (i % 2 == 0 ? 1 : -1) * 0.2f * (order.get(i) + 1);
      w1[i] = 0.5f * w0[i];
    }
    for (PointCompression c : new PointCompression[] {new PointCompression(PointCompression.Mode.MAGNITUDE, 0),
        new PointCompression(PointCompression.Mode.GLOBAL_MAGNITUDE, 0),
        new PointCompression(PointCompression.Mode.CHANNELS, 0)}) {
      LineWeight b = new LineWeight("p", shape, c);
      float[] p = LineWeight.parameter(w0, w1);
      p[60] = 0.3f;
      p[61] = c.mode() == PointCompression.Mode.GLOBAL_MAGNITUDE ? GlobalMagnitude.slot(11) : 0.1f;
      WeightBinding.Decoded decoded = b.decodeForGradient(p, null);
      assertArrayEquals(b.decode(p), decoded.weight(), c.mode() + ": the same weight as decode");
      int kept = 0;
      for (boolean k : decoded.kept()) {
        kept += k ? 1 : 0;
      }
      assertTrue(kept > 0 && kept < n, c.mode() + " keeps " + kept + " of " + n);
      // The same decode, reused for three chunks' upstream gradients.
      for (long chunk = 0; chunk < 3; chunk++) {
        float[] upstream = random(n, 20 + chunk);
        float[] grad = new float[p.length];
        b.addGradient(p, decoded, upstream, grad);
        assertCentralDifferences(b, p, upstream, grad, c.mode() + " chunk " + chunk);
      }
    }
  }

  @Test
  void withDifferenceBitsThePointsSeeW0AsStoredAndTheGradientGoesStraightThrough() {
    long[] shape = {6, 40};
    float[] w0 = random(240, 6);
    float[] w1 = random(240, 7);
    LineWeight stored = new LineWeight("p", shape, PointCompression.NONE, new UniformCodec(2));
    LineWeight plain = new LineWeight("p", shape, PointCompression.NONE);
    float[] p = LineWeight.parameter(w0, w1);
    assertArrayEquals(w1, stored.decode(p), "alpha 1 is w1 exactly");
    // Independent reference: w1 + the nearest of 4 min–max levels of each row of w0 − w1.
    float[] ref = new float[240];
    for (int row = 0; row < 6; row++) {
      float lo = Float.MAX_VALUE;
      float hi = -Float.MAX_VALUE;
      for (int j = 0; j < 40; j++) {
        lo = Math.min(lo, w0[row * 40 + j] - w1[row * 40 + j]);
        hi = Math.max(hi, w0[row * 40 + j] - w1[row * 40 + j]);
      }
      float step = (float) (((double) hi - lo) / 3);
      for (int j = 0; j < 40; j++) {
        int i = row * 40 + j;
        ref[i] = w1[i] + (lo + (int) Math.rint((w0[i] - w1[i] - lo) / step) * step);
      }
    }
    p[480] = 0f;
    assertArrayEquals(ref, stored.decode(p));
    assertArrayEquals(ref, LineWeight.stored(w0, w1, shape, new UniformCodec(2)));
    p[480] = 0.25f;
    assertArrayEquals(LineWeight.point(ref, w1, 0.25f), stored.decode(p));
    float[] upstream = random(240, 8);
    float[] viaStored = new float[p.length];
    float[] viaPlain = new float[p.length];
    stored.addGradient(p, upstream, viaStored);
    plain.addGradient(p, upstream, viaPlain);
    assertArrayEquals(viaPlain, viaStored);
  }

  @Test
  void aDecodeReusesTheStoredW0OfThePreviousDecodeOfTheSameEndpointsOnly() {
    long[] shape = {5, 40};
    LineWeight b = new LineWeight("p", shape, new PointCompression(PointCompression.Mode.MAGNITUDE, 0),
        new nnzip.codec.dp.DpCodec(2));
    float[] p = LineWeight.parameter(random(200, 12), random(200, 13));
    p[401] = 0.1f;
    p[400] = 0f;
    WeightBinding.Decoded first = b.decodeForGradient(p, null);
    // The sandwich's order: α = 0, 1, then inside; every point equals a decode from nothing.
    WeightBinding.Decoded previous = first;
    for (float alpha : new float[] {1f, 0.4f, 0.7f}) {
      p[400] = alpha;
      WeightBinding.Decoded next = b.decodeForGradient(p, previous);
      assertArrayEquals(b.decodeForGradient(p, null).weight(), next.weight(), "alpha " + alpha);
      assertArrayEquals(b.decodeForGradient(p, null).kept(), next.kept(), "alpha " + alpha);
      assertSame(first.reusable(), next.reusable(), "alpha " + alpha + " reuses w0 as stored");
      previous = next;
    }
    // A step later the endpoints moved: the same α decodes afresh.
    float[] moved = p.clone();
    moved[7] += 0.5f;
    WeightBinding.Decoded after = b.decodeForGradient(moved, previous);
    assertNotSame(first.reusable(), after.reusable());
    assertArrayEquals(b.decodeForGradient(moved, null).weight(), after.weight());
    moved = p.clone();
    moved[207] += 0.5f; // w1 moved
    after = b.decodeForGradient(moved, previous);
    assertNotSame(first.reusable(), after.reusable());
    assertArrayEquals(b.decodeForGradient(moved, null).weight(), after.weight());
  }

  @Test
  void aDpStoredDifferenceIsEachRowsOptimalFourLevels() {
    long[] shape = {5, 40};
    float[] w0 = random(200, 9);
    float[] w1 = random(200, 10);
    float[] diff = new float[200];
    for (int i = 0; i < 200; i++) {
      diff[i] = w0[i] - w1[i];
    }
    float[] q = PointCompression.quantize(diff, shape, 0, new nnzip.codec.dp.DpCodec(2));
    float[] got = LineWeight.stored(w0, w1, shape, new nnzip.codec.dp.DpCodec(2));
    for (int i = 0; i < 200; i++) {
      assertEquals(w1[i] + q[i], got[i], 0f, "w0 as stored is w1 plus the coded difference");
    }
    for (int row = 0; row < 5; row++) {
      double[] d = new double[40];
      double sse = 0;
      java.util.Set<Float> levels = new java.util.HashSet<>();
      for (int j = 0; j < 40; j++) {
        int i = row * 40 + j;
        d[j] = diff[i];
        sse += ((double) q[i] - diff[i]) * ((double) q[i] - diff[i]);
        levels.add(q[i]);
      }
      // Independent reference: the best split of the sorted row into 4 runs, by brute force.
      java.util.Arrays.sort(d);
      double best = Double.MAX_VALUE;
      for (int a = 1; a < 38; a++) {
        for (int b = a + 1; b < 39; b++) {
          for (int c = b + 1; c < 40; c++) {
            best = Math.min(best, runSse(d, 0, a) + runSse(d, a, b) + runSse(d, b, c) + runSse(d, c, 40));
          }
        }
      }
      assertEquals(best, sse, 1e-4 * best, "row " + row);
      assertTrue(levels.size() <= 4, "row " + row + " has " + levels.size() + " levels");
    }
  }

  private static double runSse(double[] v, int from, int to) {
    double mean = 0;
    for (int i = from; i < to; i++) {
      mean += v[i];
    }
    mean /= to - from;
    double s = 0;
    for (int i = from; i < to; i++) {
      s += (v[i] - mean) * (v[i] - mean);
    }
    return s;
  }

  /**
   * {@code grad} against central differences in double of L(p) = Σ upstream · decode(p), linear in w0
   * and w1 for a fixed mask; α and the last slot get no gradient.
   */
  private static void assertCentralDifferences(LineWeight b, float[] p, float[] upstream, float[] grad, String what) {
    int n = (p.length - 2) / 2;
    for (int j = 0; j < 2 * n; j++) {
      double h = 1e-2;
      float[] plus = p.clone();
      float[] minus = p.clone();
      plus[j] += (float) h;
      minus[j] -= (float) h;
      double d = (dot(upstream, b.decode(plus)) - dot(upstream, b.decode(minus))) / (2 * h);
      assertEquals(d, grad[j], 1e-3, what + " element " + j);
    }
    assertEquals(0f, grad[2 * n]);
    assertEquals(0f, grad[2 * n + 1]);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
