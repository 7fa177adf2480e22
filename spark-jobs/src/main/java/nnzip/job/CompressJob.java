package nnzip.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import nnzip.Progress;
import nnzip.artifact.Manifest;
import nnzip.compress.ArtifactPlan;
import nnzip.compress.CompressionSettings;
import nnzip.compress.FittedTensor;
import nnzip.compress.ModelFit;
import nnzip.compress.Shard;
import nnzip.compress.ShardBatches;
import nnzip.compress.ShardEncoder;
import nnzip.compress.ShardPlanner;
import nnzip.compress.ShardResult;
import nnzip.compress.ShardStatistics;
import nnzip.compress.TensorStatistics;
import nnzip.compress.TensorTask;
import nnzip.io.HadoopFiles;
import nnzip.io.StoredTensor;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorCoder;
import nnzip.codec.Scope;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Compresses a model with any codec, in the same passes. The driver reads headers only and plans
 * shards of bounded bytes; pass 1 scans shards on executors (digest, moments, a scalar codec's
 * summary), merges them per tensor and fits scalar codecs there; a model-wide codec (aq) then fits
 * over all its tensors through a {@link SparkShardAggregator} ({@link ModelFit}); the encode pass
 * has each executor write its shards' packed codes to part files; the driver streams the artifact
 * together ({@link ArtifactPlan}) and commits it atomically. No tensor data reaches the driver.
 */
public final class CompressJob {
  private CompressJob() {}

  /**
   * What a run produced.
   *
   * @param manifest the artifact's manifest
   * @param provenance the provenance stored in the artifact
   * @param sourceBytes bytes of the source model files
   * @param artifactBytes bytes of the artifact file
   * @param seconds wall time of the run
   */
  public record Result(Manifest manifest, nnzip.artifact.Provenance provenance, long sourceBytes, long artifactBytes,
      double seconds) {
    public double ratio() {
      return (double) sourceBytes / artifactBytes;
    }
  }

  /**
   * Runs the job.
   *
   * @param in model path (safetensors file, sharded index or directory, or ONNX)
   * @param out artifact path
   * @param recipe resolved recipe text, stored in the artifact
   */
  public static Result run(JavaSparkContext sc, CompressionSettings settings, String recipe, String in, String out,
      boolean overwrite, Progress progress) throws IOException {
    return run(sc, settings, recipe, in, null, out, overwrite, progress);
  }

  /**
   * Runs the job on an intermediate model made from the user's.
   *
   * @param origin the model the user gave (provenance and ratio), or null when it is {@code in}
   */
  public static Result run(JavaSparkContext sc, CompressionSettings settings, String recipe, String in, String origin,
      String out, boolean overwrite, Progress progress) throws IOException {
    return run(sc, settings, recipe, in, origin, null, out, overwrite, progress);
  }

  /**
   * As above, with the digest of the model the provenance names when the caller already has it.
   *
   * @param originDigest the digest of {@code origin} (else {@code in}), or null: digested here
   */
  public static Result run(JavaSparkContext sc, CompressionSettings settings, String recipe, String in, String origin,
      KnownDigest originDigest, String out, boolean overwrite, Progress progress) throws IOException {
    PassProgress watch = PassProgress.attach(sc, progress);
    try {
      return passes(sc, settings, recipe, in, origin, originDigest, out, overwrite, progress);
    } finally {
      watch.detach(sc);
      sc.setJobDescription(null);
    }
  }

  private static Result passes(JavaSparkContext sc, CompressionSettings settings, String recipe, String in,
      String origin, KnownDigest originDigest, String out, boolean overwrite, Progress progress) throws IOException {
    return ArtifactJob.run(in, origin, originDigest, out, overwrite, recipe, settings.codeStreams(), progress,
        (source, tempDir) -> {
      List<TensorTask> tasks = new ArrayList<>();
      for (int i = 0; i < source.tensors().size(); i++) {
        StoredTensor t = source.tensors().get(i);
        tasks.add(settings.taskFor(i, t, source.channelAxis(t.spec().name()), source.role(t.spec().name())));
      }
      progress.report(in + ": " + settings.describe(tasks) + ", " + Units.bytes(source.sourceBytes()));
      List<Shard> shards = ShardPlanner.plan(tasks, settings.shardBytes(), settings.shardAlignment());
      List<TensorStatistics> stats = scan(sc, tasks, shards, settings.partitions(),
          settings.scope() == Scope.GLOBAL ? settings.scalarCodec() : null, progress);
      List<TensorTask> checked = ModelFit.applyNonFinitePolicy(tasks, stats, settings.nonFinite(), progress);
      List<Shard> codedShards = shards.stream().filter(s -> !checked.get(s.tensorIndex()).isPassthrough()).toList();
      Map<Integer, FittedTensor> fitted = ModelFit.fit(settings, checked, stats,
          new SparkShardAggregator(sc, checked, codedShards, settings.partitions()), progress);
      List<Shard> encoded = codedShards.stream().filter(s -> fitted.containsKey(s.tensorIndex())).toList();
      List<ShardResult> results = encode(sc, checked, fitted, encoded, tempDir, settings.partitions(), progress);
      Manifest manifest = ArtifactPlan.manifest(source, checked, stats, fitted, results);
      return new ArtifactJob.Plan(manifest,
          ArtifactPlan.entryData(manifest, source, checked, fitted, results, new Path(tempDir, "parts")));
    });
  }

  /**
   * Pass 1: shards are scanned anywhere, grouped by tensor, then merged in shard order and fitted
   * on executors, tensors in parallel. Results in tensor order.
   */
  static List<TensorStatistics> scan(JavaSparkContext sc, List<TensorTask> tasks, List<Shard> shards,
      int partitions, ScalarCodec globalCodec, Progress progress) {
    long t0 = System.nanoTime();
    boolean global = globalCodec != null;
    Broadcast<List<TensorTask>> taskCast = sc.broadcast(tasks);
    JavaRDD<TensorStatistics> perTensor = null;
    try {
      // Tiny tensors travel in batches: one record and one file system per batch, not per shard.
      List<ArrayList<Shard>> batches = ShardBatches.of(shards, tasks, ShardBatches.TARGET_BYTES);
      org.apache.spark.util.LongAccumulator read = sc.sc().longAccumulator(PassProgress.BYTES_ACCUMULATOR);
      sc.setJobDescription("scan: " + shards.size() + " shards");
      int slices = Math.max(1, Math.min(batches.size(), partitions > 0 ? partitions : sc.defaultParallelism()));
      perTensor = sc.parallelize(batches, slices)
          .flatMapToPair(batch -> {
            Map<String, org.apache.hadoop.fs.FileSystem> fileSystems = new java.util.HashMap<>();
            List<Tuple2<Integer, ShardStatistics>> out = new ArrayList<>(batch.size());
            for (Shard s : batch) {
              TensorTask task = taskCast.value().get(s.tensorIndex());
              out.add(new Tuple2<>(s.tensorIndex(), ShardStatistics.scan(
                  fileSystems.computeIfAbsent(task.source().file(), HadoopFiles::fileSystem), task, s)));
              read.add(s.count() * (long) task.source().spec().dtype().byteSize());
            }
            return out.iterator();
          })
          .groupByKey(Math.max(1, Math.min(tasks.size(), slices)))
          .map(kv -> {
            // Under global scope a tensor coded on its own (a kept tensor with passthrough.dp-bits)
            // is still fitted alone.
            TensorTask task = taskCast.value().get(kv._1());
            return TensorStatistics.merge(task, kv._2(), !global || task.scope() != Scope.GLOBAL);
          });
      List<TensorStatistics> stats;
      if (!global) {
        stats = new ArrayList<>(perTensor.collect());
      } else {
        // One codebook for the model: the tensors' summaries meet on one executor, merged in tensor
        // order and fitted there; the driver only receives the fitted quantizer.
        perTensor.persist(StorageLevel.MEMORY_AND_DISK());
        ScalarCodec codec = globalCodec;
        List<ScalarCodec.Quantizer> shared = perTensor.filter(s -> s.summary() != null)
            .mapToPair(s -> new Tuple2<>(0, s)).groupByKey(1)
            .map(kv -> TensorStatistics.fitShared(codec, kv._2())).collect();
        ScalarCodec.Quantizer q = shared.isEmpty() ? null : shared.get(0);
        stats = new ArrayList<>(perTensor.map(s -> s.summary() != null ? s.withQuantizer(q) : s).collect());
      }
      stats.sort(Comparator.comparingInt(TensorStatistics::index));
      progress.report(String.format("scan: %d shards, fitted %s in %.1f s", shards.size(),
          global ? "one codebook for all tensors" : tasks.size() + " tensors", (System.nanoTime() - t0) / 1e9));
      return stats;
    } finally {
      if (perTensor != null) {
        perTensor.unpersist(false);
      }
      taskCast.destroy();
    }
  }

  /** The encode pass: shards over partitions; results ordered by (tensor, shard) whatever the partitioning. */
  private static List<ShardResult> encode(JavaSparkContext sc, List<TensorTask> tasks, Map<Integer, FittedTensor> fitted,
      List<Shard> shards, Path tempDir, int partitions, Progress progress) {
    if (shards.isEmpty()) {
      return List.of();
    }
    long t0 = System.nanoTime();
    Map<Integer, TensorCoder> coders = new TreeMap<>();
    fitted.forEach((i, f) -> coders.put(i, f.coder()));
    Broadcast<List<TensorTask>> taskCast = sc.broadcast(tasks);
    Broadcast<Map<Integer, TensorCoder>> coderCast = sc.broadcast(coders);
    String partsDir = new Path(tempDir, "parts").toString();
    int slices = Math.min(partitions > 0 ? partitions : sc.defaultParallelism(), shards.size());
    try {
      org.apache.spark.util.LongAccumulator read = sc.sc().longAccumulator(PassProgress.BYTES_ACCUMULATOR);
      sc.setJobDescription("encode: " + shards.size() + " shards");
      // One file system per partition: looking it up costs milliseconds, a tiny shard's encoding microseconds.
      List<ShardResult> results = new ArrayList<>(sc.parallelize(shards, slices)
          .mapPartitions(it -> {
            org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fileSystem(partsDir);
            List<ShardResult> out = new ArrayList<>();
            while (it.hasNext()) {
              Shard s = it.next();
              TensorTask task = taskCast.value().get(s.tensorIndex());
              out.add(ShardEncoder.encode(fs, task, coderCast.value().get(s.tensorIndex()), s, new Path(partsDir)));
              read.add(s.count() * (long) task.source().spec().dtype().byteSize());
            }
            return out.iterator();
          })
          .collect());
      results.sort(Comparator.comparing(ShardResult::shard, Shard.ORDER));
      progress.report(String.format("encode: %d shards on %d partitions in %.1f s", shards.size(), slices,
          (System.nanoTime() - t0) / 1e9));
      return results;
    } finally {
      taskCast.destroy();
      coderCast.destroy();
    }
  }
}
