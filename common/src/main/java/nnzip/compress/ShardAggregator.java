package nnzip.compress;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a codec's model-wide fit meets the shards (the {@code treeAggregate} seam of Spark MLlib's
 * loss aggregators): a per-shard statistic over the values of every coded shard, summed per
 * codebook group in one fixed order. The Spark job implements it on executors, {@link
 * LocalShardAggregator} in this process; both merge shards in blocks of {@value #MERGE_BLOCK}
 * consecutive shards of a tensor and then the blocks in (group, tensor, block) order, so
 * floating-point sums, and every codebook fitted from them, are identical whatever ran them.
 */
public interface ShardAggregator {
  /** Shards merged per block before the blocks are merged in order. */
  int MERGE_BLOCK = 16;

  /** The statistic of one shard: its original values (count of them), under a broadcast model. */
  interface PerShard<M, T> extends Serializable {
    T apply(M model, int tensor, Shard shard, float[] values);
  }

  /** Merge of two partial results; neither argument is used afterwards. */
  interface Merge<T> extends Serializable {
    T apply(T a, T b);
  }

  /** A per-group computation, run where the aggregator runs work. */
  interface PerGroup<I, O> extends Serializable {
    O apply(int group, I input);
  }

  /** The codebook group of a tensor. */
  interface Grouping extends Serializable {
    int groupOf(int tensor);
  }

  /**
   * For each group, {@code perShard} over the group's shards merged in the fixed order.
   *
   * @param model shipped to wherever the shards are read (broadcast on Spark), not modified
   */
  <M extends Serializable, T extends Serializable> Map<Integer, T> sum(M model, Grouping grouping,
      PerShard<M, T> perShard, Merge<T> merge);

  /** {@code fn} applied to each input, in parallel where the aggregator can; results by group, in key order. */
  <I extends Serializable, O extends Serializable> Map<Integer, O> map(Map<Integer, I> inputs, PerGroup<I, O> fn);

  /** This aggregator over the shards of these tensors only. */
  ShardAggregator restrictedTo(java.util.Set<Integer> tensors);

  /** The merge block of a shard: its tensor and its run of {@value #MERGE_BLOCK} shards. */
  static long blockOf(Shard s) {
    return ((long) s.tensorIndex() << 32) + s.shardIndex() / MERGE_BLOCK;
  }

  /** Results of one block in any order, merged in shard order. */
  static <T> T mergeBlock(List<Map.Entry<Shard, T>> parts, Merge<T> merge) {
    List<Map.Entry<Shard, T>> sorted = new ArrayList<>(parts);
    sorted.sort(Map.Entry.comparingByKey(Shard.ORDER));
    T sum = null;
    for (Map.Entry<Shard, T> e : sorted) {
      sum = sum == null ? e.getValue() : merge.apply(sum, e.getValue());
    }
    return sum;
  }

  /** Block sums keyed by (group, block) in any order, merged per group in (group, block) order. */
  static <T> Map<Integer, T> mergeBlocks(List<Map.Entry<long[], T>> blocks, Merge<T> merge) {
    List<Map.Entry<long[], T>> sorted = new ArrayList<>(blocks);
    sorted.sort(Comparator.comparingLong((Map.Entry<long[], T> e) -> e.getKey()[0])
        .thenComparingLong(e -> e.getKey()[1]));
    Map<Integer, T> sums = new LinkedHashMap<>();
    for (Map.Entry<long[], T> b : sorted) {
      sums.merge((int) b.getKey()[0], b.getValue(), merge::apply);
    }
    return sums;
  }
}
