package nnzip.codec.dp;

/**
 * Not a test: how far the optimum over each histogram's bins is from the exact optimum over 10^6
 * raw F32 values, printed per data set and k. Run with
 * {@code java -Xmx6g -cp common/target/classes:common/target/test-classes nnzip.codec.dp.BinningGaps
 * [k ...]} (default k = 4 16 256; k = 256 takes about a minute per data set).
 */
public final class BinningGaps {
  private BinningGaps() {}

  public static void main(String[] args) {
    int[] ks = args.length == 0
        ? new int[] {4, 16, 256}
        : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    for (String name : new String[] {"gaussian", "student-t3", "bimodal"}) {
      float[] x = Fixtures.data(name);
      double var = Samples.variance(x);
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float v : x) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      HalfHistogram f16 = new HalfHistogram(HalfFormat.F16);
      f16.add(x, x.length);
      HalfHistogram bf16 = new HalfHistogram(HalfFormat.BF16);
      bf16.add(x, x.length);
      UniformHistogram uniform = new UniformHistogram(min, max, UniformHistogram.DEFAULT_BINS);
      uniform.add(x, x.length);
      System.out.printf("%s: non-empty bins F16 %d, BF16 %d, uniform %d of 65536%n", name,
          f16.nonEmptyBins(), bf16.nonEmptyBins(), uniform.nonEmptyBins());
      for (int k : ks) {
        long t0 = System.nanoTime();
        OptimalLevels exact = Fixtures.exact(name, k);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  k=%d exact relMSE %.6f (%.1f s); binned SSE vs exact: F16 %+.5f%%, "
            + "BF16 %+.5f%%, uniform %+.5f%%%n", k, exact.mse() / var, seconds, gap(f16.toPoints(), k, exact),
            gap(bf16.toPoints(), k, exact), gap(uniform.toPoints(), k, exact));
      }
    }
  }

  private static double gap(WeightedPoints bins, int k, OptimalLevels exact) {
    return 100 * (OptimalQuantizer1D.solve(bins, k).sse() / exact.sse() - 1);
  }
}
