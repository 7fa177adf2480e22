package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
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
      // L(p) = Σ upstream · decode(p) is linear in w0, w1 for a fixed mask: central differences in double.
      for (int j = 0; j < 60; j++) {
        double h = 1e-2;
        float[] plus = p.clone();
        float[] minus = p.clone();
        plus[j] += (float) h;
        minus[j] -= (float) h;
        double d = (dot(upstream, b.decode(plus)) - dot(upstream, b.decode(minus))) / (2 * h);
        assertEquals(d, grad[j], 1e-3, c.mode() + " element " + j);
      }
      assertEquals(0f, grad[60]);
      assertEquals(0f, grad[61]);
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
