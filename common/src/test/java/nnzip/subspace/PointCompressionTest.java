package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PointCompressionTest {
  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) r.nextGaussian();
    }
    return w;
  }

  @Test
  void magnitudeKeepsExactlyTheLargestShare() {
    float[] w = random(1000, 1);
    PointCompression c = new PointCompression(PointCompression.Mode.MAGNITUDE, 0);
    for (double alpha : new double[] {0, 0.1, 0.5, 1}) {
      float[] out = c.apply(w, new long[] {20, 50}, alpha, SubspaceKind.LOWEST_KEEP, null);
      int k = (int) Math.ceil((0.025 + 0.975 * alpha) * 1000 - 1e-9);
      float minKept = Float.MAX_VALUE;
      float maxDropped = 0;
      int kept = 0;
      for (int i = 0; i < w.length; i++) {
        if (out[i] != 0) {
          kept++;
          assertEquals(w[i], out[i]);
          minKept = Math.min(minKept, Math.abs(w[i]));
        } else {
          maxDropped = Math.max(maxDropped, Math.abs(w[i]));
        }
      }
      assertEquals(k, kept, "alpha " + alpha);
      assertTrue(kept == w.length || minKept >= maxDropped);
    }
  }

  @Test
  void bitsQuantizeEachRowOnItsOwnMinMaxGrid() {
    float[] w = random(6 * 40, 2);
    long[] shape = {6, 40};
    PointCompression c = new PointCompression(PointCompression.Mode.BITS, 0);
    for (double alpha : new double[] {0, 0.4, 1}) {
      int bits = SubspaceKind.bits(alpha);
      float[] out = c.apply(w, shape, alpha, 1, null);
      // Independent reference: min–max grid of 2^bits levels per row, nearest level.
      for (int row = 0; row < 6; row++) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int j = 0; j < 40; j++) {
          lo = Math.min(lo, w[row * 40 + j]);
          hi = Math.max(hi, w[row * 40 + j]);
        }
        float step = (float) (((double) hi - lo) / ((1 << bits) - 1));
        for (int j = 0; j < 40; j++) {
          int q = (int) Math.rint((w[row * 40 + j] - lo) / step);
          assertEquals(lo + q * step, out[row * 40 + j], 0f, "alpha " + alpha + " row " + row);
        }
      }
    }
  }

  @Test
  void bitsMapTheSixBinsToThreeToEight() {
    assertEquals(3, SubspaceKind.bits(0));
    assertEquals(3, SubspaceKind.bits(0.16));
    assertEquals(4, SubspaceKind.bits(0.17));
    assertEquals(8, SubspaceKind.bits(0.84));
    assertEquals(8, SubspaceKind.bits(1));
  }

  @Test
  void channelsPastTheWidthAreZeroedAlongTheAxis() {
    float[] w = random(4 * 8 * 3, 3);
    long[] shape = {4, 8, 3};
    PointCompression c = new PointCompression(PointCompression.Mode.CHANNELS, 1);
    boolean[] kept = new boolean[w.length];
    float[] out = c.apply(w, shape, 0, 1, kept);
    int k = SubspaceKind.keptChannels(0, 8);
    assertEquals(2, k);
    for (int a = 0; a < 4; a++) {
      for (int ch = 0; ch < 8; ch++) {
        for (int z = 0; z < 3; z++) {
          int i = (a * 8 + ch) * 3 + z;
          assertEquals(ch < k ? w[i] : 0f, out[i]);
          assertEquals(ch < k, kept[i]);
        }
      }
    }
    assertArrayEquals(w, c.apply(w, shape, 1, 1, null));
  }
}
