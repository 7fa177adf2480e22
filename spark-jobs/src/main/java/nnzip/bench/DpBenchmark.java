package nnzip.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.Progress;
import nnzip.codec.dp.Codebook;
import nnzip.codec.dp.HalfFormat;
import nnzip.codec.dp.HalfHistogram;
import nnzip.codec.dp.OptimalLevels;
import nnzip.codec.dp.OptimalQuantizer1D;
import nnzip.codec.dp.WeightedPoints;
import nnzip.tensor.FloatCodec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.clustering.KMeans;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;

/**
 * Figures for the dp codec, each against a reference measured in the same run: relative MSE on
 * Gaussian data against the Lloyd–Max optimum, DP against Spark MLlib's k-means on heavy-tailed
 * data, DP time on 65,536 bins, and the quantization of 100M F16 weights against Arrays.sort of
 * the same values.
 */
public final class DpBenchmark {
  private DpBenchmark() {}

  /** n samples of N(0,1) (Box–Muller from a seeded generator). */
  public static float[] gaussian(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) normal(r);
    }
    return x;
  }

  /** n samples of Student's t with 3 degrees of freedom: Z / sqrt(χ²₃ / 3). */
  public static float[] studentT3(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double a = normal(r);
      double b = normal(r);
      double c = normal(r);
      x[i] = (float) (normal(r) / Math.sqrt((a * a + b * b + c * c) / 3));
    }
    return x;
  }

  static double normal(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** MSE / variance of quantizing x with a codebook. */
  public static double relativeMse(float[] x, Codebook book) {
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double var = 0;
    double sse = 0;
    for (float v : x) {
      var += (v - mean) * (v - mean);
      double d = v - book.decode(book.encode(v));
      sse += d * d;
    }
    return sse / var;
  }

  /** Exact DP levels of raw values. */
  public static Codebook dp(float[] x, int k) {
    return OptimalQuantizer1D.solve(WeightedPoints.of(x, x.length), k).codebook();
  }

  /** MLlib k-means on the same values (k-means|| init, fixed seed), as a codebook of its centers. */
  public static Codebook mllibKMeans(JavaSparkContext sc, float[] x, int k, long seed) {
    List<Vector> points = new ArrayList<>(x.length);
    for (float v : x) {
      points.add(Vectors.dense(v));
    }
    JavaRDD<Vector> rdd = sc.parallelize(points, sc.defaultParallelism()).cache();
    KMeansModel model = new KMeans().setK(k).setMaxIterations(100).setSeed(seed).run(rdd.rdd());
    rdd.unpersist(false);
    float[] centers = new float[model.clusterCenters().length];
    for (int i = 0; i < centers.length; i++) {
      centers[i] = (float) model.clusterCenters()[i].apply(0);
    }
    Arrays.sort(centers);
    return Codebook.of(centers);
  }

  /** Quality figures: Gaussian against Lloyd–Max, Student-t against MLlib k-means. */
  public static Map<String, Object> quality(JavaSparkContext sc, Progress progress) {
    Map<String, Object> m = new LinkedHashMap<>();
    float[] g = gaussian(1_000_000, 1);
    double k4 = relativeMse(g, dp(g, 4));
    double k16 = relativeMse(g, dp(g, 16));
    m.put("gaussianK4RelMse", k4);
    m.put("gaussianK4LloydMax", 0.11753);
    m.put("gaussianK4Gap", k4 / 0.11753 - 1);
    m.put("gaussianK16RelMse", k16);
    progress.report(String.format("N(0,1), 1M: dp k=4 %.5f (Lloyd–Max 0.11753), k=16 %.5f", k4, k16));
    float[] t = studentT3(1_000_000, 2);
    long t0 = System.nanoTime();
    double dpT = relativeMse(t, dp(t, 16));
    double dpSeconds = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    double kmT = relativeMse(t, mllibKMeans(sc, t, 16, 42));
    double kmSeconds = (System.nanoTime() - t0) / 1e9;
    m.put("studentT3K16DpRelMse", dpT);
    m.put("studentT3K16MllibKMeansRelMse", kmT);
    m.put("studentT3DpOverKMeans", dpT / kmT);
    m.put("studentT3DpSeconds", dpSeconds);
    m.put("studentT3KMeansSeconds", kmSeconds);
    progress.report(String.format("Student-t(3), 1M, k=16: dp %.5f (%.1f s) vs MLlib k-means %.5f (%.1f s)", dpT,
        dpSeconds, kmT, kmSeconds));
    return m;
  }

  /** DP alone on 65,536 weighted bins (an F16 histogram of Gaussian weights covers them), k=256. */
  public static Map<String, Object> dpOnBins(Progress progress) {
    SplittableRandom r = new SplittableRandom(3);
    double[] values = new double[65_536];
    double[] weights = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = i - 32_768 + r.nextDouble() * 0.5;
      weights[i] = 1 + r.nextInt(1000);
    }
    WeightedPoints p = WeightedPoints.of(values, weights, 0);
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      OptimalLevels l = OptimalQuantizer1D.solve(p, 256);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      if (l.levels().length != 256) {
        throw new IllegalStateException("expected 256 levels");
      }
    }
    progress.report(String.format("dp on 65,536 bins, k=256: %.3f s (one core)", best));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bins", values.length);
    m.put("k", 256);
    m.put("seconds", best);
    m.put("goalSeconds", 1.0);
    return m;
  }

  /** In-process quantization of n F16 weights (histogram, DP, table encode) vs Arrays.sort of them. */
  public static Map<String, Object> coreVsSort(int n, Progress progress) {
    float[] g = gaussian(n, 4);
    short[] bits = new short[n];
    for (int i = 0; i < n; i++) {
      bits[i] = FloatCodec.floatToHalf(g[i] * 0.05f);
      g[i] = FloatCodec.halfToFloat(bits[i]);
    }
    long t0 = System.nanoTime();
    HalfHistogram h = new HalfHistogram(HalfFormat.F16);
    h.addBits(bits, n);
    Codebook book = OptimalQuantizer1D.solve(h.toPoints(), 16).codebook();
    int[] table = book.halfTable(HalfFormat.F16);
    byte[] codes = new byte[n];
    for (int i = 0; i < n; i++) {
      codes[i] = (byte) table[bits[i] & 0xffff];
    }
    double quantize = (System.nanoTime() - t0) / 1e9;
    float[] copy = g.clone();
    t0 = System.nanoTime();
    Arrays.sort(copy);
    double sort = (System.nanoTime() - t0) / 1e9;
    progress.report(String.format("%,d F16 weights, k=16: histogram+dp+encode %.2f s, Arrays.sort %.2f s, ratio %.3f",
        n, quantize, sort, quantize / sort));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("weights", n);
    m.put("quantizeSeconds", quantize);
    m.put("sortSeconds", sort);
    m.put("ratio", quantize / sort);
    m.put("goalRatio", 0.25);
    m.put("checksum", codes[n / 2] + codes[n - 1]);
    return m;
  }
}
