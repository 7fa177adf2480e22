package nnzip.artifact;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nnzip.compress.ArtifactPlan;
import nnzip.compress.CompressionSettings;
import nnzip.compress.FittedTensor;
import nnzip.compress.LocalShardAggregator;
import nnzip.compress.ModelFit;
import nnzip.compress.Shard;
import nnzip.compress.ShardEncoder;
import nnzip.compress.ShardPlanner;
import nnzip.compress.ShardResult;
import nnzip.compress.TensorStatistics;
import nnzip.compress.TensorTask;
import nnzip.io.ModelSource;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The compress job's passes run in one JVM without Spark, through the same common code: scan and
 * fit every tensor ({@link ModelFit} over a {@link LocalShardAggregator} for aq), encode every shard
 * into part files, then plan and assemble the artifact. Shard results can be produced
 * in a shuffled order, as executors would return them; they are sorted by (tensor, shard) the way
 * the job sorts them before planning.
 */
final class LocalCompressor {
  static final String RECIPE = "(test recipe)";
  static final String SOURCE = "model.safetensors";

  /** Entries of at most this many bytes go into the blob of the artifacts written here. */
  static final long BLOB_ENTRY_LIMIT = 256;

  private LocalCompressor() {}

  /** What one run produced, for tests that look inside. */
  record Run(Path artifact, List<TensorTask> tasks, List<TensorStatistics> stats, List<Shard> shards) {}

  /**
   * Compresses {@code model} into {@code work/model.nnz.safetensors}.
   *
   * @param shuffleSeed if non-null, shards are encoded in an order shuffled with this seed
   */
  static Run compress(FileSystem fs, Path model, Path work, CompressionSettings settings, Long shuffleSeed)
      throws IOException {
    fs.mkdirs(work);
    ModelSource source = ModelSource.open(fs, model, work);
    List<TensorTask> tasks = new ArrayList<>();
    for (int i = 0; i < source.tensors().size(); i++) {
      nnzip.io.StoredTensor t = source.tensors().get(i);
      tasks.add(settings.taskFor(i, t, source.channelAxis(t.spec().name())));
    }
    List<Shard> shards = ShardPlanner.plan(tasks, settings.shardBytes(), settings.shardAlignment());
    List<TensorStatistics> stats = new ArrayList<>();
    for (TensorTask t : tasks) {
      stats.add(TensorStatistics.scan(fs, t, shards));
    }
    List<TensorTask> checked = ModelFit.applyNonFinitePolicy(tasks, stats, settings.nonFinite(), m -> {});
    List<Shard> coded = shards.stream().filter(s -> !checked.get(s.tensorIndex()).isPassthrough()).toList();
    Map<Integer, FittedTensor> fitted = ModelFit.fit(settings, checked, stats,
        LocalShardAggregator.overFiles(checked, coded), m -> {});
    List<Shard> order = new ArrayList<>(coded.stream().filter(s -> fitted.containsKey(s.tensorIndex())).toList());
    if (shuffleSeed != null) {
      Collections.shuffle(order, new Random(shuffleSeed));
    }
    Path parts = new Path(work, "parts");
    fs.mkdirs(parts);
    List<ShardResult> results = new ArrayList<>();
    for (Shard s : order) {
      results.add(ShardEncoder.encode(fs, checked.get(s.tensorIndex()), fitted.get(s.tensorIndex()).coder(), s, parts));
    }
    results.sort(Comparator.comparing(ShardResult::shard, nnzip.compress.Shard.ORDER));
    Manifest manifest = ArtifactPlan.manifest(source, checked, stats, fitted, results);
    Path artifact = new Path(work, "model.nnz.safetensors");
    // A small blob threshold, so these small models have both blob members and entries of their own.
    ArtifactWriter.write(fs, artifact, manifest, new Provenance(nnzip.Version.version(), nnzip.Version.commit(),
        SOURCE, 0, "", RECIPE), ArtifactPlan.entryData(manifest, source, checked, fitted, results, parts), BLOB_ENTRY_LIMIT);
    return new Run(artifact, checked, stats, shards);
  }
}
