package nnzip.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnzip.InvalidInputException;
import nnzip.Progress;
import nnzip.codec.Scope;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.AdditiveQuantizerTrainer;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.Codebooks;
import nnzip.codec.aq.LeastSquares;
import nnzip.codec.aq.NormalEquations;
import nnzip.codec.aq.ResidualKMeans;
import nnzip.compress.CompressionSettings;
import nnzip.compress.Shard;
import nnzip.compress.ShardPlanner;
import nnzip.compress.ShardResult;
import nnzip.compress.TensorStatistics;
import nnzip.compress.TensorTask;
import nnzip.compress.aq.AqArtifactPlan;
import nnzip.compress.aq.AqSettings;
import nnzip.compress.aq.AqShards;
import nnzip.compress.aq.AqTensor;
import nnzip.io.HadoopFiles;
import nnzip.stats.Moments;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Shared additive quantization on Spark (Sun et al.): every coded tensor is cut into d-dimensional
 * subvectors that stay where they are, in shards on executors. Codebooks start from residual
 * k-means on a deterministic sample (fitted on executors, one task per codebook group); each round
 * broadcasts the codebooks, executors beam-search their shards and sum the normal equations BᵀB,
 * BᵀX, the sums are merged in shard order (byte-identical whatever the partitioning) and the driver
 * solves the small least squares. A final pass writes the packed codes. No subvector reaches the driver.
 */
public final class AqCompressJob {
  /** Shards merged per aggregation task before the driver merges the blocks in order. */
  private static final int MERGE_BLOCK = 16;

  private AqCompressJob() {}

  /** Runs the job; arguments as {@link CompressJob#run}. */
  public static CompressJob.Result run(JavaSparkContext sc, CompressionSettings base, AqSettings aq, String recipe,
      String in, String out, boolean overwrite, Progress progress) throws IOException {
    AqParams params = aq.params();
    return ArtifactJob.run(in, out, overwrite, recipe, base.entropyCoding(), progress,
        (source, tempDir) -> {
      List<TensorTask> tasks = new ArrayList<>();
      for (int i = 0; i < source.tensors().size(); i++) {
        tasks.add(new TensorTask(i, source.tensors().get(i), null, Scope.TENSOR));
      }
      List<Shard> shards = ShardPlanner.plan(tasks, base.shardBytes(), AqShards.alignment(params.dim()));
      List<TensorStatistics> stats = CompressJob.scan(sc, tasks, shards, base.partitions(), null, progress);
      Map<Integer, AqTensor> coded = codedTensors(tasks, stats, base, aq, progress);
      progress.report(String.format("%s: %d tensors, %d coded by aq (d=%d, M=%d, %d-bit codebooks, %.3f bits/weight, %s)",
          in, tasks.size(), coded.size(), params.dim(), params.codebooks(), params.codebookBits(), params.bitsPerWeight(),
          aq.shared() ? "codebooks shared by all tensors" : "codebooks per tensor"));
      List<Shard> codedShards = shards.stream().filter(s -> coded.containsKey(s.tensorIndex())).toList();
      int slices = Math.max(1, Math.min(Math.max(1, codedShards.size()),
          base.partitions() > 0 ? base.partitions() : sc.defaultParallelism()));
      Path parts = new Path(tempDir, "parts");
      Broadcast<Map<Integer, AqTensor>> codedCast = sc.broadcast(coded);
      Map<Integer, Codebooks> books;
      List<ShardResult> results;
      try {
        books = initialize(sc, codedShards, codedCast, aq, slices, progress);
        books = lloyd(sc, codedShards, codedCast, aq, books, slices, progress);
        books = rounds(sc, codedShards, codedCast, aq, books, slices, progress);
        if (aq.halfCodebooks()) {
          books = toHalf(books); // codes are then chosen for exactly the codebooks the artifact stores
        }
        results = encode(sc, codedShards, codedCast, aq, books, slices, parts, progress);
      } finally {
        codedCast.destroy();
      }
      AqArtifactPlan plan = new AqArtifactPlan(source, tasks, coded, stats, books, aq, results, parts);
      return new ArtifactJob.Plan(plan.manifest(), plan.entryData());
    });
  }

  private static Map<Integer, Codebooks> toHalf(Map<Integer, Codebooks> books) {
    Map<Integer, Codebooks> half = new TreeMap<>();
    books.forEach((g, b) -> {
      float[] v = b.values();
      nnzip.tensor.FloatCodec.roundTo(nnzip.tensor.DType.F16, v, v.length);
      half.put(g, Codebooks.of(b.codebooks(), b.codewords(), b.dim(), v));
    });
    return half;
  }

  /** The tensors aq codes, with their group and scale; NaN/Inf rejected or passed through. */
  private static Map<Integer, AqTensor> codedTensors(List<TensorTask> tasks, List<TensorStatistics> stats,
      CompressionSettings base, AqSettings aq, Progress progress) {
    Map<Integer, AqTensor> coded = new TreeMap<>();
    for (TensorTask t : tasks) {
      if (base.keepsAsIs(t.source().spec())) {
        continue;
      }
      Moments m = stats.get(t.index()).moments();
      if (m.nonFinite() > 0) {
        String what = String.format("tensor '%s' holds %d NaN/Inf values (first at element %d)",
            t.source().spec().name(), m.nonFinite(), m.firstNonFinite());
        if (!base.allowNonFinite()) {
          throw new InvalidInputException(what + "; set allow-non-finite = true to keep such tensors as they are");
        }
        progress.report(what + ": kept as it is");
        continue;
      }
      double rms = Math.sqrt(m.variance() + m.mean() * m.mean());
      float scale = aq.normalize() && rms > 0 && Double.isFinite(rms) ? (float) rms : 1f;
      coded.put(t.index(), new AqTensor(t, aq.shared() ? 0 : t.index(), scale));
    }
    return coded;
  }

  /**
   * Residual k-means per group on every s-th subvector (s from the group's size, so at most 256
   * subvectors per codeword), gathered in (tensor, shard) order and fitted on executors.
   */
  private static Map<Integer, Codebooks> initialize(JavaSparkContext sc, List<Shard> shards,
      Broadcast<Map<Integer, AqTensor>> coded, AqSettings aq, int slices, Progress progress) {
    long t0 = System.nanoTime();
    AqParams p = aq.params();
    Map<Integer, Long> groupSubvectors = new TreeMap<>();
    for (AqTensor t : coded.value().values()) {
      long n = t.task().source().spec().numElements();
      groupSubvectors.merge(t.group(), (n + p.dim() - 1) / p.dim(), Long::sum);
    }
    long target = (long) AdditiveQuantizerTrainer.INIT_SAMPLE_PER_CODEWORD * p.codewords();
    Map<Integer, Long> strides = new TreeMap<>();
    groupSubvectors.forEach((g, n) -> strides.put(g, Math.max(1, (n + target - 1) / target)));
    Map<Integer, Codebooks> books = new TreeMap<>(sc.parallelize(shards, slices)
        .mapToPair(s -> {
          AqTensor t = coded.value().get(s.tensorIndex());
          float[] x = AqShards.sample(HadoopFiles.fileSystem(t.task().source().file()), t, s, p.dim(),
              strides.get(t.group()));
          return new Tuple2<>(t.group(), new Tuple2<>(s, x));
        })
        .groupByKey(Math.max(1, Math.min(groupSubvectors.size(), slices)))
        .mapToPair(kv -> {
          List<Tuple2<Shard, float[]>> parts = new ArrayList<>();
          kv._2().forEach(parts::add);
          parts.sort(Comparator.comparing((Tuple2<Shard, float[]> e) -> e._1(), Shard.ORDER));
          int total = parts.stream().mapToInt(e -> e._2().length).sum();
          float[] sample = new float[total];
          int pos = 0;
          for (Tuple2<Shard, float[]> e : parts) {
            System.arraycopy(e._2(), 0, sample, pos, e._2().length);
            pos += e._2().length;
          }
          int n = total / p.dim();
          return new Tuple2<>(kv._1(), ResidualKMeans.fit(sample, n, p.dim(), p.codebooks(), p.codewords(),
              AdditiveQuantizerTrainer.INIT_LLOYD_ITERATIONS, p.seed() + kv._1()));
        })
        .collectAsMap());
    progress.report(String.format("aq init: residual k-means for %d codebook group(s) in %.1f s", books.size(),
        (System.nanoTime() - t0) / 1e9));
    return books;
  }

  /** Encode → normal equations → least squares, until the iterations or the tolerance stop it. */
  private static Map<Integer, Codebooks> rounds(JavaSparkContext sc, List<Shard> shards,
      Broadcast<Map<Integer, AqTensor>> coded, AqSettings aq, Map<Integer, Codebooks> books, int slices,
      Progress progress) {
    double previous = Double.NaN;
    for (int round = 1; round <= aq.params().iterations(); round++) {
      long t0 = System.nanoTime();
      Map<Integer, NormalEquations> sums = normalEquations(sc, shards, coded, aq.params(), books, slices);
      double error = 0;
      double spread = 0;
      Map<Integer, Codebooks> next = new TreeMap<>();
      for (Map.Entry<Integer, NormalEquations> e : sums.entrySet()) {
        Codebooks used = books.get(e.getKey());
        error += e.getValue().squaredError(used);
        spread += e.getValue().centredSumSquares();
        next.put(e.getKey(), LeastSquares.solve(e.getValue(), aq.params().lambda(), used));
      }
      double rel = spread > 0 ? error / spread : 0;
      progress.report(String.format("aq round %d: relative MSE %.5f (pooled, scaled; codebooks of round %d), %.1f s",
          round, rel, round - 1, (System.nanoTime() - t0) / 1e9));
      books = next;
      if (!Double.isNaN(previous) && previous - rel < aq.tolerance() * previous) {
        progress.report("aq: improvement below aq.tolerance, stopping");
        break;
      }
      previous = rel;
    }
    return books;
  }

  /** Per-shard work for an ordered aggregation (serializable: it ships to executors). */
  interface ShardFn<T> extends java.io.Serializable {
    T apply(AqTensor tensor, Shard shard);
  }

  /** Merge of two partial results (serializable: it ships to executors). */
  interface Merge<T> extends java.io.Serializable {
    T apply(T a, T b);
  }

  /**
   * A per-group sum of per-shard results, merged in shard order: shards are summed in fixed blocks
   * on executors and the blocks in order on the driver, so floating-point sums never depend on
   * how shards were spread over partitions.
   */
  static <T> Map<Integer, T> orderedSums(JavaSparkContext sc, List<Shard> shards,
      Broadcast<Map<Integer, AqTensor>> coded, int slices, ShardFn<T> perShard, Merge<T> merge) {
    List<Tuple2<Tuple2<Integer, Long>, T>> blocks = new ArrayList<>(sc.parallelize(shards, slices)
        .mapToPair(s -> {
          AqTensor t = coded.value().get(s.tensorIndex());
          return new Tuple2<>(new Tuple2<>(t.group(), blockOf(s)), new Tuple2<>(s, perShard.apply(t, s)));
        })
        .groupByKey(slices)
        .mapToPair(kv -> {
          List<Tuple2<Shard, T>> parts = new ArrayList<>();
          kv._2().forEach(parts::add);
          parts.sort(Comparator.comparing((Tuple2<Shard, T> e) -> e._1(), Shard.ORDER));
          T sum = null;
          for (Tuple2<Shard, T> e : parts) {
            sum = sum == null ? e._2() : merge.apply(sum, e._2());
          }
          return new Tuple2<>(kv._1(), sum);
        })
        .collect());
    blocks.sort(Comparator.comparingInt((Tuple2<Tuple2<Integer, Long>, T> e) -> e._1()._1())
        .thenComparingLong(e -> e._1()._2()));
    Map<Integer, T> sums = new LinkedHashMap<>();
    for (Tuple2<Tuple2<Integer, Long>, T> b : blocks) {
      sums.merge(b._1()._1(), b._2(), merge::apply);
    }
    return sums;
  }

  /** Normal equations per group for the given codebooks, merged in shard order. */
  static Map<Integer, NormalEquations> normalEquations(JavaSparkContext sc, List<Shard> shards,
      Broadcast<Map<Integer, AqTensor>> coded, AqParams p, Map<Integer, Codebooks> books, int slices) {
    Map<Integer, AdditiveQuantizer> quantizers = new TreeMap<>();
    books.forEach((g, b) -> quantizers.put(g, new AdditiveQuantizer(b, p)));
    Broadcast<Map<Integer, AdditiveQuantizer>> cast = sc.broadcast(quantizers);
    try {
      return orderedSums(sc, shards, coded, slices,
          (t, s) -> AqShards.normalEquations(HadoopFiles.fileSystem(t.task().source().file()), t, s,
              cast.value().get(t.group())),
          NormalEquations::merge);
    } finally {
      cast.destroy();
    }
  }

  /**
   * Refines the sample-fitted residual k-means over all subvectors: for each stage in turn, Lloyd
   * iterations whose cluster sums are computed on executors and merged in shard order.
   */
  private static Map<Integer, Codebooks> lloyd(JavaSparkContext sc, List<Shard> shards,
      Broadcast<Map<Integer, AqTensor>> coded, AqSettings aq, Map<Integer, Codebooks> books, int slices,
      Progress progress) {
    AqParams p = aq.params();
    for (int stage = 0; stage < p.codebooks(); stage++) {
      for (int it = 0; it < aq.initLloyd(); it++) {
        long t0 = System.nanoTime();
        Broadcast<Map<Integer, Codebooks>> cast = sc.broadcast(new TreeMap<>(books));
        int m = stage;
        try {
          Map<Integer, nnzip.codec.aq.LloydSums> sums = orderedSums(sc, shards, coded, slices,
              (t, s) -> {
                float[] x = AqShards.subvectors(HadoopFiles.fileSystem(t.task().source().file()), t, s, p.dim());
                return new nnzip.codec.aq.LloydSums(p.codewords(), p.dim())
                    .add(x, x.length / p.dim(), cast.value().get(t.group()), m);
              },
              nnzip.codec.aq.LloydSums::merge);
          Map<Integer, Codebooks> next = new TreeMap<>(books);
          for (Map.Entry<Integer, nnzip.codec.aq.LloydSums> e : sums.entrySet()) {
            next.put(e.getKey(), e.getValue().update(next.get(e.getKey()), m));
          }
          books = next;
        } finally {
          cast.destroy();
        }
        progress.report(String.format("aq init: residual k-means stage %d, Lloyd iteration %d over all subvectors, %.1f s",
            stage + 1, it + 1, (System.nanoTime() - t0) / 1e9));
      }
    }
    return books;
  }

  /** Block of a shard: consecutive shards of a tensor, in tensor order. */
  private static long blockOf(Shard s) {
    return ((long) s.tensorIndex() << 32) + s.shardIndex() / MERGE_BLOCK;
  }

  /** Final pass: executors encode their shards with the final codebooks and write packed codes. */
  private static List<ShardResult> encode(JavaSparkContext sc, List<Shard> shards,
      Broadcast<Map<Integer, AqTensor>> coded, AqSettings aq, Map<Integer, Codebooks> books, int slices,
      Path partsDir, Progress progress) {
    long t0 = System.nanoTime();
    Map<Integer, AdditiveQuantizer> quantizers = new TreeMap<>();
    books.forEach((g, b) -> quantizers.put(g, new AdditiveQuantizer(b, aq.params())));
    Broadcast<Map<Integer, AdditiveQuantizer>> cast = sc.broadcast(quantizers);
    String parts = partsDir.toString();
    try {
      List<ShardResult> results = new ArrayList<>(sc.parallelize(shards, slices)
          .map(s -> {
            AqTensor t = coded.value().get(s.tensorIndex());
            return AqShards.encode(HadoopFiles.fileSystem(parts), t, s, cast.value().get(t.group()), new Path(parts));
          })
          .collect());
      results.sort(Comparator.comparing(ShardResult::shard, nnzip.compress.Shard.ORDER));
      progress.report(String.format("aq encode: %d shards on %d partitions in %.1f s", shards.size(), slices,
          (System.nanoTime() - t0) / 1e9));
      return results;
    } finally {
      cast.destroy();
    }
  }
}
