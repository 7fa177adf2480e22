package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import nnzip.tensor.FloatCodec;
import org.junit.jupiter.api.Test;

class HalfHistogramTest {

  @Test
  void losslessF16HistogramGivesExactlyTheSolutionOnTheRawValues() {
    float[] x = Samples.toHalf(Samples.studentT3(200_000, 41));
    short[] bits = new short[x.length];
    for (int i = 0; i < x.length; i++) {
      bits[i] = FloatCodec.floatToHalf(x[i]);
    }
    HalfHistogram fromFloats = new HalfHistogram(HalfFormat.F16);
    fromFloats.add(x, x.length);
    HalfHistogram fromBits = new HalfHistogram(HalfFormat.F16);
    fromBits.addBits(bits, bits.length);
    assertEquals(fromBits, fromFloats);
    WeightedPoints raw = WeightedPoints.of(x, x.length);
    for (int k : new int[] {4, 16, 256}) {
      OptimalLevels exact = OptimalQuantizer1D.solve(raw, k);
      assertEquals(exact, OptimalQuantizer1D.solve(fromBits.toPoints(), k), "k=" + k);
    }
  }

  @Test
  void losslessBf16HistogramGivesExactlyTheSolutionOnTheRawValues() {
    float[] x = Samples.gaussian(100_000, 42);
    for (int i = 0; i < x.length; i++) {
      x[i] = FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(x[i]));
    }
    HalfHistogram h = new HalfHistogram(HalfFormat.BF16);
    h.add(x, x.length);
    assertEquals(OptimalQuantizer1D.solve(WeightedPoints.of(x, x.length), 16),
        OptimalQuantizer1D.solve(h.toPoints(), 16));
  }

  @Test
  void keepsTheMeanAndSpreadOfFloatValuesInEachBin() {
    float[] x = Samples.bimodal(50_000, 43);
    x[0] = 3e-6f; // subnormal in F16
    x[1] = -1e-9f; // rounds to −0
    x[2] = 60_000f;
    HalfHistogram h = new HalfHistogram(HalfFormat.F16);
    h.add(x, x.length);
    WeightedPoints points = h.toPoints();
    // Group the raw values by pattern directly.
    Map<Integer, double[]> bins = new HashMap<>();
    for (float v : x) {
      double[] b = bins.computeIfAbsent(HalfFormat.F16.pattern(v), p -> new double[3]);
      b[0]++;
      b[1] += v;
    }
    double within = 0;
    for (float v : x) {
      double[] b = bins.get(HalfFormat.F16.pattern(v));
      within += (v - b[1] / b[0]) * (v - b[1] / b[0]);
    }
    assertEquals(bins.size(), points.size());
    assertEquals(within, points.constantSse(), 1e-9 * within);
    assertEquals(within, OptimalQuantizer1D.solve(points, 65_536).sse(), 1e-9 * within);
    double total = Samples.variance(x) * x.length;
    assertEquals(total, OptimalQuantizer1D.solve(points, 1).sse(), 1e-9 * total);
  }

  @Test
  void mergingInAnyOrderGivesIdenticalHistograms() {
    float[] x = Samples.studentT3(30_000, 44);
    HalfHistogram[] parts = new HalfHistogram[5];
    for (int p = 0; p < parts.length; p++) {
      parts[p] = new HalfHistogram(HalfFormat.F16);
      float[] chunk = Arrays.copyOfRange(x, p * 6000, (p + 1) * 6000);
      parts[p].add(chunk, chunk.length);
    }
    HalfHistogram whole = new HalfHistogram(HalfFormat.F16);
    whole.add(x, x.length);
    HalfHistogram left = parts[0].merge(parts[1]).merge(parts[2]).merge(parts[3]).merge(parts[4]);
    HalfHistogram tree = parts[4].merge(parts[2]).merge(parts[0].merge(parts[3].merge(parts[1])));
    assertEquals(whole, left);
    assertEquals(whole, tree);
    assertEquals(whole.hashCode(), tree.hashCode());
    assertEquals(30_000, tree.count());
    assertNotEquals(whole, parts[0]);
  }

  @Test
  void staysWithinATenthOfAPercentOfTheExactOptimumOnFloatData() {
    for (String name : new String[] {"gaussian", "student-t3", "bimodal"}) {
      float[] x = Fixtures.data(name);
      HalfHistogram h = new HalfHistogram(HalfFormat.F16);
      h.add(x, x.length);
      double exact = Fixtures.exact(name, 16).sse();
      double binned = OptimalQuantizer1D.solve(h.toPoints(), 16).sse();
      System.out.printf("%s k=16: F16-pattern bins (%d non-empty) SSE %+.5f%% vs exact%n", name,
          h.nonEmptyBins(), 100 * (binned / exact - 1));
      assertTrue(binned >= exact * (1 - 1e-12), name);
      assertTrue(binned <= exact * 1.001, name + ": " + binned + " vs " + exact);
    }
  }

  @Test
  void rejectsNonFiniteValuesAndF16Overflow() {
    HalfHistogram h = new HalfHistogram(HalfFormat.F16);
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> h.add(new float[] {1, Float.NaN}, 2));
    assertTrue(nan.getMessage().contains("value 1 is NaN"), nan.getMessage());
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> h.add(new float[] {70_000f}, 1));
    assertTrue(big.getMessage().contains("range of an F16 histogram"), big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> h.addBits(new short[] {(short) 0x7c00}, 1));
    assertThrows(IllegalArgumentException.class, () -> h.merge(new HalfHistogram(HalfFormat.BF16)));
    HalfHistogram wide = new HalfHistogram(HalfFormat.BF16);
    wide.add(new float[] {70_000f, 1e30f, -3e-40f}, 3);
    WeightedPoints p = wide.toPoints();
    assertEquals(3, p.size());
    assertEquals(-3e-40f, p.value(0), 0);
    assertEquals(1e30f, p.value(2), 0);
    assertEquals(0, p.constantSse());
  }

  @Test
  void roundsLikeFloatCodecOnEveryBinEdge() {
    // The fast F16 rounding path must agree with FloatCodec around every pattern boundary.
    for (int p = 0; p < 0x7c00; p++) {
      float v = FloatCodec.halfToFloat((short) p);
      for (float x : new float[] {v, Math.nextUp(v), Math.nextDown(v), -v}) {
        assertEquals(FloatCodec.floatToHalf(x) & 0xffff, HalfFormat.F16.pattern(x), "x=" + x);
      }
      float mid = (float) ((v + (double) FloatCodec.halfToFloat((short) (p + 1))) / 2);
      for (float x : new float[] {mid, Math.nextUp(mid), Math.nextDown(mid)}) {
        assertEquals(FloatCodec.floatToHalf(x) & 0xffff, HalfFormat.F16.pattern(x), "x=" + x);
      }
    }
  }
}
