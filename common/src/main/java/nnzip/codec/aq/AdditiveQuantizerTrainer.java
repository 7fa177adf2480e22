package nnzip.codec.aq;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Single-machine reference of additive quantization training (Babenko &amp; Lempitsky 2014; Martinez
 * et al.'s LSQ update; the AQLM alternation without its finetune): residual k-means on a sample,
 * then rounds of beam-search encoding and a least-squares codebook update. The Spark job runs the
 * same steps with the encode and the {@link NormalEquations} sums distributed. Deterministic for
 * a seed.
 */
public final class AdditiveQuantizerTrainer {
  /** Residual k-means sees at most this many subvectors per codeword (Faiss's default, 256). */
  public static final int INIT_SAMPLE_PER_CODEWORD = 256;
  /** Lloyd rounds per residual k-means stage. */
  public static final int INIT_LLOYD_ITERATIONS = 20;

  private AdditiveQuantizerTrainer() {}

  /**
   * Trains on n subvectors. Round 0 encodes with the residual k-means codebooks; round r ≥ 1
   * updates the codebooks by least squares for round r − 1's codes and encodes again. The
   * returned quantizer holds the last codebooks, so the last stats' error is its error on x.
   *
   * @param x subvector i at x[i·d ..), length ≥ n·d, d = params.dim(); not modified
   * @param n number of subvectors, ≥ 1
   * @throws IllegalArgumentException if n &lt; 1 or x is shorter than n·d
   */
  public static AqTraining train(float[] x, int n, AqParams params) {
    int d = params.dim();
    if (n < 1 || x.length / d < n) {
      throw new IllegalArgumentException("n = " + n + " but " + x.length + " values (d = " + d + ")");
    }
    long t0 = System.nanoTime();
    double spread = centredSquares(x, n, d);
    SplittableRandom root = new SplittableRandom(params.seed());
    int k = params.codewords();
    int sampleSize = (int) Math.min(n, (long) INIT_SAMPLE_PER_CODEWORD * k);
    float[] sample = sample(x, n, d, sampleSize, root.split());
    Codebooks books = ResidualKMeans.fit(sample, sampleSize, d, params.codebooks(), k,
        INIT_LLOYD_ITERATIONS, root.nextLong());
    int[] codes = new int[Math.multiplyExact(n, params.codebooks())];
    double error = new BeamEncoder(books, params.beam()).encode(x, n, codes, null);
    List<IterationStats> stats = new ArrayList<>();
    stats.add(new IterationStats(0, error / spread, seconds(t0)));
    for (int round = 1; round <= params.iterations(); round++) {
      long t = System.nanoTime();
      NormalEquations sums = NormalEquations.like(books).add(codes, x, n);
      books = LeastSquares.solve(sums, params.lambda(), books);
      error = new BeamEncoder(books, params.beam()).encode(x, n, codes, null);
      stats.add(new IterationStats(round, error / spread, seconds(t)));
    }
    return new AqTraining(new AdditiveQuantizer(books, params), stats);
  }

  /** Σ_i ‖x_i − mean‖² in double (two passes); 1 if the data are constant, to keep ratios finite. */
  static double centredSquares(float[] x, int n, int d) {
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) {
        mean[t] += x[i * d + t];
      }
    }
    double s = 0;
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) {
        double r = x[i * d + t] - mean[t] / n;
        s += r * r;
      }
    }
    return s > 0 ? s : 1;
  }

  /** size distinct subvectors chosen uniformly (partial Fisher–Yates), kept in input order. */
  static float[] sample(float[] x, int n, int d, int size, SplittableRandom random) {
    if (size == n) {
      return Arrays.copyOf(x, n * d);
    }
    int[] index = new int[n];
    for (int i = 0; i < n; i++) {
      index[i] = i;
    }
    for (int i = 0; i < size; i++) {
      int j = i + random.nextInt(n - i);
      int tmp = index[i];
      index[i] = index[j];
      index[j] = tmp;
    }
    int[] chosen = Arrays.copyOf(index, size);
    Arrays.sort(chosen);
    float[] out = new float[size * d];
    for (int i = 0; i < size; i++) {
      System.arraycopy(x, chosen[i] * d, out, i * d, d);
    }
    return out;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
