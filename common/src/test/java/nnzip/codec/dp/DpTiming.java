package nnzip.codec.dp;

import java.util.Arrays;
import java.util.SplittableRandom;
import nnzip.tensor.FloatCodec;

/**
 * Not a test: single-thread timings of the solver and the histograms, printed to stdout. Run with
 * {@code java -Xmx4g -cp common/target/classes:common/target/test-classes nnzip.codec.dp.DpTiming [n]}
 * (default n = 100,000,000 values).
 */
public final class DpTiming {
  private DpTiming() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000_000;
    dpOnBins();
    endToEnd(n);
  }

  /** The DP alone on 65,536 distinct weighted points, k = 256 (and 16), best of 5. */
  private static void dpOnBins() {
    SplittableRandom r = new SplittableRandom(7);
    float[] g = Samples.gaussian(200_000, 7);
    WeightedPoints distinct = WeightedPoints.of(g, g.length);
    double[] v = Arrays.copyOf(distinct.values(), 65_536);
    double[] w = new double[v.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = 1 + r.nextInt(5000);
    }
    WeightedPoints points = WeightedPoints.of(v, w, 0);
    for (int k : new int[] {16, 256}) {
      long best = Long.MAX_VALUE;
      for (int rep = 0; rep < 5; rep++) {
        long t0 = System.nanoTime();
        OptimalQuantizer1D.solve(points, k);
        best = Math.min(best, System.nanoTime() - t0);
      }
      long t0 = System.nanoTime();
      OptimalQuantizer1D.solve(points, k, 0); // forced checkpointing
      long cp = System.nanoTime() - t0;
      System.out.printf("DP on %d points, k=%d: %.1f ms (full table), %.1f ms (checkpointed)%n",
          points.size(), k, best / 1e6, cp / 1e6);
    }
  }

  private static void endToEnd(int n) {
    float[] x = Samples.gaussian(n, 11);
    short[] bits = new short[n];
    for (int i = 0; i < n; i++) {
      bits[i] = FloatCodec.floatToHalf(x[i]);
      x[i] = FloatCodec.halfToFloat(bits[i]); // an F16 tensor's values
    }
    int[] codes = new int[n];
    for (int rep = 0; rep < 2; rep++) { // second round is the one to read (JIT warm)
      System.out.printf("-- round %d, %,d F16 values --%n", rep + 1, n);
      long t0 = System.nanoTime();
      HalfHistogram h = new HalfHistogram(HalfFormat.F16);
      h.addBits(bits, n);
      long t1 = System.nanoTime();
      OptimalLevels levels = OptimalQuantizer1D.solve(h.toPoints(), 16);
      Codebook book = levels.codebook();
      int[] table = book.halfTable(HalfFormat.F16);
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        codes[i] = table[bits[i] & 0xffff];
      }
      long t3 = System.nanoTime();
      HalfHistogram hf = new HalfHistogram(HalfFormat.F16);
      hf.add(x, n);
      long t4 = System.nanoTime();
      book.encode(x, n, codes);
      long t5 = System.nanoTime();
      float[] y = Samples.gaussian(n, 12);
      long t6 = System.nanoTime();
      HalfHistogram h32 = new HalfHistogram(HalfFormat.F16);
      h32.add(y, n);
      long t7 = System.nanoTime();
      UniformHistogram u = new UniformHistogram(-6, 6, UniformHistogram.DEFAULT_BINS);
      u.add(y, n);
      long t8 = System.nanoTime();
      float[] s = x.clone();
      long t9 = System.nanoTime();
      Arrays.sort(s);
      long t10 = System.nanoTime();
      double sort = (t10 - t9) / 1e9;
      double pipeline = (t3 - t0) / 1e9;
      System.out.printf("histogram from F16 bits %.3f s (%.2f ns/value), points + DP k=16 + table %.3f s, "
          + "encode by table %.3f s%n", (t1 - t0) / 1e9, (t1 - t0) / (double) n, (t2 - t1) / 1e9,
          (t3 - t2) / 1e9);
      System.out.printf("histogram from F16-valued floats %.3f s, Codebook.encode(float) %.3f s%n",
          (t4 - t3) / 1e9, (t5 - t4) / 1e9);
      System.out.printf("histogram from F32 floats: F16 bins %.3f s (%.2f ns/value), "
          + "uniform %.3f s (%.2f ns/value)%n", (t7 - t6) / 1e9, (t7 - t6) / (double) n,
          (t8 - t7) / 1e9, (t8 - t7) / (double) n);
      double viaFloats = ((t2 - t1) + (t4 - t3) + (t5 - t4)) / 1e9;
      System.out.printf("Arrays.sort %.3f s; F16 quantize (histogram + DP + table encode) %.3f s "
          + "= %.3f × sort; from floats (histogram + DP + Codebook.encode) %.3f s = %.3f × sort; "
          + "relMSE %.5f%n",
          sort, pipeline, pipeline / sort, viaFloats, viaFloats / sort, levels.mse() / Samples.variance(x));
    }
  }
}
