package nnzip.compress.aq;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnzip.Progress;
import nnzip.codec.TensorCoder;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.AqTraining;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.AqTensorCoder;
import nnzip.codec.aq.Codebooks;
import nnzip.codec.aq.IterationStats;
import nnzip.codec.aq.LeastSquares;
import nnzip.codec.aq.LloydSums;
import nnzip.codec.aq.NormalEquations;
import nnzip.codec.aq.ResidualKMeans;
import nnzip.compress.LocalShardAggregator;
import nnzip.compress.Shard;
import nnzip.compress.ShardAggregator;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;

/**
 * Shared additive quantization's fit (Sun et al.; Babenko &amp; Lempitsky's AQ with Martinez et
 * al.'s least-squares update, alternated as AQLM does), one round loop for the Spark job and the
 * single-machine trainer: residual k-means on a deterministic sample of each codebook group (every
 * s-th subvector, at most {@value #INIT_SAMPLE_PER_CODEWORD} per codeword),
 * Lloyd iterations over all subvectors, then rounds of beam-search encoding whose normal equations
 * BᵀB, BᵀX are summed per group through a {@link ShardAggregator} and solved here. Only codebooks and
 * sums cross the seam; no subvector does.
 */
public final class AqFit {
  /** Residual k-means sees at most this many subvectors per codeword (Faiss's default, 256). */
  public static final int INIT_SAMPLE_PER_CODEWORD = 256;
  /** Lloyd rounds per residual k-means stage on the sample. */
  public static final int INIT_LLOYD_ITERATIONS = 20;
  /** Subvectors per in-memory shard of {@link #train}: a multiple of 8. */
  private static final int TRAIN_SHARD_SUBVECTORS = 1 << 13;

  private AqFit() {}

  /**
   * The single-machine trainer: n subvectors in memory, fitted by the same round loop the Spark job
   * runs (through a {@link LocalShardAggregator}), as one tensor of scale 1. Deterministic for a seed.
   *
   * @param x subvector i at x[i·d ..), length ≥ n·d, d = settings.params().dim(); not modified
   * @param n number of subvectors, ≥ 1
   * @return the quantizer of the last codebooks; its stats' last error is its error on x (before
   *     any F16 rounding the settings ask for)
   * @throws IllegalArgumentException if n &lt; 1 or x is shorter than n·d
   */
  public static AqTraining train(float[] x, int n, AqSettings settings) {
    int d = settings.params().dim();
    if (n < 1 || x.length / d < n) {
      throw new IllegalArgumentException("n = " + n + " but " + x.length + " values (d = " + d + ")");
    }
    float[] values = java.util.Arrays.copyOf(x, Math.multiplyExact(n, d));
    Result r = fit(settings, Map.of(0, new AqTensor(0, 1f, values.length)),
        LocalShardAggregator.inMemory(Map.of(0, values), TRAIN_SHARD_SUBVECTORS * d), message -> {});
    return new AqTraining(new AdditiveQuantizer(r.books().get(0), settings.params()), r.stats());
  }

  /**
   * What a fit produced.
   *
   * @param books final codebooks by group (F16-rounded when the settings say so)
   * @param stats round r's pooled relative MSE (scaled values) of the codebooks after r least-squares
   *     updates, r = 0 for the initial ones; the last is the final codebooks' error
   */
  public record Result(Map<Integer, Codebooks> books, List<IterationStats> stats) {
    /** The coder of each pooled tensor: its group's codebooks and its scale. */
    public Map<Integer, TensorCoder> coders(Map<Integer, AqTensor> pool, AqParams params) {
      Map<Integer, TensorCoder> out = new TreeMap<>();
      pool.forEach((t, a) -> out.put(t, new AqTensorCoder(new AdditiveQuantizer(books.get(a.group()), params),
          a.scale())));
      return out;
    }
  }

  /** The pool and whatever a pass broadcasts with it. */
  private record Model<X extends Serializable>(Map<Integer, AqTensor> pool, X extra) implements Serializable {}

  /**
   * Fits codebooks for the pooled tensors.
   *
   * @param pool every coded tensor by index, with its group and scale
   * @param shards reaches exactly the pool's shards, each starting at a multiple of 8·d
   */
  public static Result fit(AqSettings settings, Map<Integer, AqTensor> pool, ShardAggregator shards,
      Progress progress) {
    Map<Integer, AqTensor> members = new TreeMap<>(pool);
    ShardAggregator.Grouping grouping = t -> members.get(t).group();
    Map<Integer, Codebooks> books = initialize(settings, members, grouping, shards, progress);
    books = lloyd(settings, members, grouping, shards, books, progress);
    List<IterationStats> stats = new ArrayList<>();
    AqParams p = settings.params();
    double previous = Double.NaN;
    for (int round = 0; ; round++) {
      long t0 = System.nanoTime();
      Map<Integer, NormalEquations> sums = normalEquations(p, members, grouping, shards, books);
      double error = 0;
      double spread = 0;
      for (Map.Entry<Integer, NormalEquations> e : sums.entrySet()) {
        error += e.getValue().squaredError(books.get(e.getKey()));
        spread += e.getValue().centredSumSquares();
      }
      double rel = spread > 0 ? error / spread : 0;
      stats.add(new IterationStats(round, rel, (System.nanoTime() - t0) / 1e9));
      progress.report(String.format("aq round %d: relative MSE %.5f (pooled, scaled), %.1f s", round, rel,
          (System.nanoTime() - t0) / 1e9));
      if (round == p.iterations()) {
        break;
      }
      if (!Double.isNaN(previous) && previous - rel < settings.tolerance() * previous) {
        progress.report("aq: improvement below aq.tolerance, stopping");
        break;
      }
      previous = rel;
      Map<Integer, Codebooks> next = new TreeMap<>();
      for (Map.Entry<Integer, NormalEquations> e : sums.entrySet()) {
        next.put(e.getKey(), LeastSquares.solve(e.getValue(), p.lambda(), books.get(e.getKey())));
      }
      books = next;
    }
    if (settings.codebookDtype() == DType.F16) {
      books = toHalf(books); // codes are then chosen for exactly the codebooks the artifact stores
    }
    return new Result(books, stats);
  }

  private static Map<Integer, Codebooks> toHalf(Map<Integer, Codebooks> books) {
    Map<Integer, Codebooks> half = new TreeMap<>();
    books.forEach((g, b) -> {
      float[] v = b.values();
      FloatCodec.roundTo(DType.F16, v, v.length);
      half.put(g, Codebooks.of(b.codebooks(), b.codewords(), b.dim(), v));
    });
    return half;
  }

  /**
   * Residual k-means per group on every s-th subvector (s from the group's size, so at most 256
   * subvectors per codeword), gathered in (tensor, shard) order and fitted where the aggregator runs work.
   */
  private static Map<Integer, Codebooks> initialize(AqSettings settings, Map<Integer, AqTensor> pool,
      ShardAggregator.Grouping grouping, ShardAggregator shards, Progress progress) {
    long t0 = System.nanoTime();
    AqParams p = settings.params();
    int d = p.dim();
    Map<Integer, Long> groupSubvectors = new TreeMap<>();
    pool.values().forEach(t -> groupSubvectors.merge(t.group(), t.subvectors(d), Long::sum));
    long target = (long) INIT_SAMPLE_PER_CODEWORD * p.codewords();
    TreeMap<Integer, Long> strides = new TreeMap<>();
    groupSubvectors.forEach((g, n) -> strides.put(g, Math.max(1, (n + target - 1) / target)));
    Map<Integer, float[]> samples = shards.sum(new Model<>(pool, strides), grouping,
        (m, t, s, values) -> sample(m.pool().get(t), s, values, d, m.extra().get(m.pool().get(t).group())),
        AqFit::concat);
    Map<Integer, Codebooks> books = new TreeMap<>(shards.map(new TreeMap<>(samples),
        (g, sample) -> ResidualKMeans.fit(sample, sample.length / d, d, p.codebooks(), p.codewords(),
            INIT_LLOYD_ITERATIONS, p.seed() + g)));
    progress.report(String.format("aq init: residual k-means for %d codebook group(s) in %.1f s", books.size(),
        (System.nanoTime() - t0) / 1e9));
    return books;
  }

  /** Every {@code stride}-th subvector of the shard, counting from the tensor's first subvector. */
  static float[] sample(AqTensor t, Shard shard, float[] values, int d, long stride) {
    float[] x = t.subvectors(values, d);
    int subs = x.length / d;
    long firstSub = shard.first() / d;
    int start = (int) ((stride - firstSub % stride) % stride);
    int count = start >= subs ? 0 : (int) ((subs - 1 - start) / stride + 1);
    float[] out = new float[count * d];
    for (int i = 0; i < count; i++) {
      System.arraycopy(x, (int) (start + i * stride) * d, out, i * d, d);
    }
    return out;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /**
   * Refines the sample-fitted residual k-means over all subvectors: for each stage in turn, Lloyd
   * iterations whose cluster sums are summed per group in shard order.
   */
  private static Map<Integer, Codebooks> lloyd(AqSettings settings, Map<Integer, AqTensor> pool,
      ShardAggregator.Grouping grouping, ShardAggregator shards, Map<Integer, Codebooks> books, Progress progress) {
    AqParams p = settings.params();
    int d = p.dim();
    for (int stage = 0; stage < p.codebooks(); stage++) {
      for (int it = 0; it < settings.initLloyd(); it++) {
        long t0 = System.nanoTime();
        int m = stage;
        Map<Integer, LloydSums> sums = shards.sum(new Model<>(pool, new TreeMap<>(books)), grouping,
            (model, t, s, values) -> {
              AqTensor a = model.pool().get(t);
              float[] x = a.subvectors(values, d);
              return new LloydSums(p.codewords(), d).add(x, x.length / d, model.extra().get(a.group()), m);
            },
            LloydSums::merge);
        Map<Integer, Codebooks> next = new TreeMap<>(books);
        sums.forEach((g, s) -> next.put(g, s.update(next.get(g), m)));
        books = next;
        progress.report(String.format("aq init: residual k-means stage %d, Lloyd iteration %d over all subvectors,"
            + " %.1f s", stage + 1, it + 1, (System.nanoTime() - t0) / 1e9));
      }
    }
    return books;
  }

  /** Normal equations per group for the given codebooks, merged in shard order. */
  public static Map<Integer, NormalEquations> normalEquations(AqParams p, Map<Integer, AqTensor> pool,
      ShardAggregator.Grouping grouping, ShardAggregator shards, Map<Integer, Codebooks> books) {
    TreeMap<Integer, AdditiveQuantizer> quantizers = new TreeMap<>();
    books.forEach((g, b) -> quantizers.put(g, new AdditiveQuantizer(b, p)));
    int d = p.dim();
    return shards.sum(new Model<>(pool, quantizers), grouping,
        (model, t, s, values) -> {
          AqTensor a = model.pool().get(t);
          AdditiveQuantizer q = model.extra().get(a.group());
          float[] x = a.subvectors(values, d);
          int n = x.length / d;
          int[] codes = new int[n * p.codebooks()];
          q.encode(x, n, codes, null);
          return NormalEquations.like(q.codebooks()).add(codes, x, n);
        },
        NormalEquations::merge);
  }
}
