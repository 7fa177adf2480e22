package nnzip.compress;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import nnzip.artifact.Chunk;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.stats.Moments;
import org.apache.hadoop.fs.FileSystem;

/**
 * First pass over one tensor, merged from its shards in shard order (so floating-point sums, and
 * hence fitted parameters, never depend on how shards were spread over executors): digests of the
 * original bytes shard by shard, moments, and the codec fitted on the merged summary (null for
 * passthrough tensors and tensors holding NaN/Inf), its side information rounded to F16 where the
 * codec allows, and under {@code scope = auto} the grouping {@link ScopeSearch} chose.
 *
 * @param index tensor task index
 * @param original size and SHA-256 of each shard of the original bytes, in order; a tensor of one
 *     shard has exactly one chunk, the SHA-256 of the whole tensor
 * @param moments moments of the finite values (empty for non-floating dtypes)
 * @param quantizer the fitted quantizer, or null
 * @param summary the merged summary when fitting is left to a later, model-wide step (global
 *     scope), else null
 * @param scope the grouping {@code scope = auto} chose for this tensor, or null for the task's own
 * @param layout the layout of that grouping, or null for the task's own
 */
public record TensorStatistics(int index, List<Chunk> original, Moments moments, ScalarCodec.Quantizer quantizer,
    ScalarCodec.Summary summary, Scope scope, TensorLayout layout) implements Serializable {

  public TensorStatistics {
    original = List.copyOf(original);
    if ((scope == null) != (layout == null)) {
      throw new IllegalArgumentException("a chosen scope needs its layout, got " + scope + " and " + layout);
    }
  }

  /** Statistics of a tensor fitted under its task's scope, or left for a model-wide fit. */
  public TensorStatistics(int index, List<Chunk> original, Moments moments, ScalarCodec.Quantizer quantizer,
      ScalarCodec.Summary summary) {
    this(index, original, moments, quantizer, summary, null, null);
  }

  /** Statistics of a fitted (or passthrough) tensor. */
  public TensorStatistics(int index, List<Chunk> original, Moments moments, ScalarCodec.Quantizer quantizer) {
    this(index, original, moments, quantizer, null);
  }

  /** These statistics with the quantizer set and the summary dropped. */
  public TensorStatistics withQuantizer(ScalarCodec.Quantizer q) {
    return new TensorStatistics(index, original, moments, q, null, scope, layout);
  }

  /** The scope the tensor is coded under: the one auto chose, else the task's. */
  public Scope scopeOf(TensorTask task) {
    return scope != null ? scope : task.scope();
  }

  /** The layout the tensor is coded under: the one auto chose, else the task's. */
  public TensorLayout layoutOf(TensorTask task) {
    return layout != null ? layout : task.layout();
  }

  /**
   * Merges a tensor's shard statistics and fits its codec. Merging happens where this runs, so on
   * Spark the fits of different tensors run in parallel on executors.
   *
   * @param shards every shard of the tensor, in any order
   */
  public static TensorStatistics merge(TensorTask task, Iterable<ShardStatistics> shards) {
    return merge(task, shards, true);
  }

  /**
   * Merges a tensor's shard statistics; fits the codec if {@code fit}, else keeps the merged
   * summary for a model-wide fit ({@link #fitShared}).
   */
  public static TensorStatistics merge(TensorTask task, Iterable<ShardStatistics> shards, boolean fit) {
    List<ShardStatistics> sorted = new ArrayList<>();
    shards.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(s -> s.shard().shardIndex()));
    List<Chunk> chunks = new ArrayList<>();
    Moments moments = new Moments();
    ScalarCodec.Summary summary = null;
    boolean clean = true;
    for (ShardStatistics s : sorted) {
      chunks.add(s.original());
      moments = moments.merge(s.moments());
      clean &= s.summary() != null;
      if (clean) {
        summary = summary == null ? s.summary() : summary.merge(s.summary());
      }
    }
    boolean codable = !task.isPassthrough() && clean && summary != null;
    if (!fit) {
      return new TensorStatistics(task.index(), chunks, moments, null, codable ? summary : null);
    }
    if (!codable) {
      return new TensorStatistics(task.index(), chunks, moments, null, null);
    }
    if (task.scope() == Scope.AUTO) {
      ScopeSearch.Candidate c = ScopeSearch.choose(task.codec(), task.source().spec(), task.channelAxis(),
          (TensorValues) summary);
      return new TensorStatistics(task.index(), chunks, moments, c.quantizer(), null, c.scope(), c.layout());
    }
    return new TensorStatistics(task.index(), chunks, moments,
        SideInformation.storable(task.codec(), task.codec().fit(summary)), null);
  }

  /**
   * One quantizer for every tensor (global scope): the tensors' summaries merged in tensor order,
   * so the result does not depend on how tensors were spread over executors.
   *
   * @param perTensor statistics of the coded tensors, with their summaries, in any order
   */
  public static ScalarCodec.Quantizer fitShared(ScalarCodec codec, Iterable<TensorStatistics> perTensor) {
    List<TensorStatistics> sorted = new ArrayList<>();
    perTensor.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(TensorStatistics::index));
    ScalarCodec.Summary all = null;
    for (TensorStatistics s : sorted) {
      all = all == null ? s.summary() : all.merge(s.summary());
    }
    return all == null ? null : SideInformation.storable(codec, codec.fit(all));
  }

  /** Scans and fits a whole tensor in this process (what one executor does, without Spark). */
  public static TensorStatistics scan(FileSystem fs, TensorTask task, List<Shard> shards) {
    List<ShardStatistics> stats = new ArrayList<>();
    for (Shard s : shards) {
      if (s.tensorIndex() == task.index()) {
        stats.add(ShardStatistics.scan(fs, task, s));
      }
    }
    return merge(task, stats);
  }

  /** The SHA-256 of the whole original tensor when it is one shard, else null. */
  public String sha256() {
    return original.size() == 1 ? original.get(0).sha256() : null;
  }
}
