package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.tensor.DType;
import org.junit.jupiter.api.Test;

/** dp.bins: pattern bins merged into fewer equal-width bins for the DP. */
class DpRebinTest {

  private static float[] gaussian(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
    }
    return x;
  }

  @Test
  void mergedBinsKeepTheWeightAndTheTotalSpreadOfTheValues() {
    float[] x = gaussian(50_000, 3);
    WeightedPoints raw = WeightedPoints.of(x, x.length);
    WeightedPoints binned = DpCodec.rebin(raw, 100);
    assertTrue(binned.size() <= 100, "at most 100 bins: " + binned.size());
    assertEquals(raw.totalWeight(), binned.totalWeight(), 1e-9);
    // One cluster holding everything: its SSE is the values' total squared deviation, whatever the binning.
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double direct = 0;
    for (float v : x) {
      direct += (v - mean) * (v - mean);
    }
    assertEquals(direct, OptimalQuantizer1D.solve(binned, 1).sse(), direct * 1e-9);
  }

  @Test
  void fewerBinsNeverBeatTheFullHistogramAndStayCloseToIt() {
    float[] x = gaussian(200_000, 4);
    double previous = 0;
    for (int bins : new int[] {65_536, 4_096, 256}) {
      DpCodec codec = new DpCodec(4, bins);
      ScalarCodec.Summary s = codec.newSummary(TensorLayout.whole(x.length), DType.F32);
      s.add(x, x.length, 0);
      ScalarCodec.Quantizer q = codec.fit(s);
      int[] codes = new int[x.length];
      float[] y = new float[x.length];
      q.encode(x, x.length, 0, codes);
      q.decode(codes, x.length, 0, y);
      double sse = 0;
      for (int i = 0; i < x.length; i++) {
        sse += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
      }
      if (previous > 0) {
        assertTrue(sse >= previous * (1 - 1e-6), bins + " bins: " + sse + " vs finer " + previous);
        assertTrue(sse <= previous * 1.05, bins + " bins stay within 5% of the finer binning at k=16");
      }
      previous = sse;
    }
  }
}
