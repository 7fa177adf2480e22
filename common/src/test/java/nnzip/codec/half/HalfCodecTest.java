package nnzip.codec.half;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.tensor.FloatCodec;
import org.junit.jupiter.api.Test;

/** F16 coding against a brute-force nearest value over every finite F16, and its range guard. */
class HalfCodecTest {

  /** Every finite F16 value, decoded, ascending. */
  private static double[] allHalves() {
    java.util.TreeSet<Double> values = new java.util.TreeSet<>();
    for (int bits = 0; bits < 1 << 16; bits++) {
      float v = FloatCodec.halfToFloat((short) bits);
      if (Float.isFinite(v)) {
        values.add((double) v);
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void codesDecodeToTheNearestF16Value() {
    double[] halves = allHalves();
    Random r = new Random(7);
    int n = 20_000;
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      // Magnitudes from 1e-9 (below F16's subnormals) to 6e4, both signs.
      values[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.pow(10, -9 + 13.7 * r.nextDouble()));
    }
    ScalarCodec codec = CodecKind.HALF.create(16);
    ScalarCodec.Quantizer q = codec.fit(codec.newSummary(new TensorLayout(n, 1, n)));
    int[] codes = new int[n];
    q.encode(values, n, 0, codes);
    float[] decoded = new float[n];
    codec.restore(new TensorLayout(n, 1, n), java.util.Map.of()).decode(codes, n, 0, decoded);
    for (int i = 0; i < n; i++) {
      int at = java.util.Arrays.binarySearch(halves, values[i]);
      int hi = at >= 0 ? at : -at - 1;
      double best = Double.POSITIVE_INFINITY;
      for (int k = Math.max(0, hi - 1); k <= Math.min(halves.length - 1, hi); k++) {
        best = Math.min(best, Math.abs(halves[k] - values[i]));
      }
      assertEquals(best, Math.abs(decoded[i] - values[i]), 0.0, "value " + values[i]);
      if (Math.abs(values[i]) >= 0x1p-14) {
        assertTrue(Math.abs(decoded[i] - values[i]) <= 0x1p-11 * Math.abs(values[i]), "relative error at " + values[i]);
      } else {
        assertTrue(Math.abs(decoded[i] - values[i]) <= 0x1p-25, "absolute error at " + values[i]);
      }
    }
    assertTrue(q.parameters().isEmpty(), "no side information");
  }

  @Test
  void theRangeGuardBoundsTheLargestValue() {
    Random r = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + r.nextInt(64);
      double[] v = new double[n];
      double scale = Math.pow(10, 6 * r.nextDouble());
      for (int i = 0; i < n; i++) {
        v[i] = r.nextGaussian() * scale + (r.nextBoolean() ? 0 : scale);
      }
      double mean = java.util.Arrays.stream(v).average().orElse(0);
      double var = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / n;
      double max = java.util.Arrays.stream(v).map(Math::abs).max().orElse(0);
      if (HalfCodec.fits(mean, var, n)) {
        assertTrue(max <= HalfCodec.MAX, "a tensor said to fit has |x| = " + max);
      }
    }
    assertTrue(HalfCodec.fits(1.0, 0.0, 1000));
    assertFalse(HalfCodec.fits(70_000, 0.0, 1));
  }
}
