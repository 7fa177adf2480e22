package nnzip.compress;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the coded tensors into shards of bounded source bytes. The plan depends only on the
 * tensors and the byte bound, never on the number of partitions or executors, which is what
 * makes artifacts byte-identical across cluster shapes.
 */
public final class ShardPlanner {
  private ShardPlanner() {}

  /**
   * Plans shards for every task, in task order; passthrough tensors are sharded too, since the
   * first pass digests every tensor. A tensor with no elements gets one empty shard.
   *
   * @param tasks tensor tasks
   * @param maxShardBytes upper bound of source bytes per shard, ≥ 64
   */
  public static List<Shard> plan(List<TensorTask> tasks, long maxShardBytes) {
    return plan(tasks, maxShardBytes, 8);
  }

  /**
   * Plans shards whose element counts (but for each tensor's last) are multiples of {@code align}.
   *
   * @param align a multiple of 8, ≥ 8
   */
  public static List<Shard> plan(List<TensorTask> tasks, long maxShardBytes, int align) {
    if (align < 8 || align % 8 != 0) {
      throw new IllegalArgumentException("shard alignment must be a positive multiple of 8, got " + align);
    }
    if (maxShardBytes < 64) {
      throw new IllegalArgumentException("shard size must be at least 64 bytes, got " + maxShardBytes);
    }
    List<Shard> shards = new ArrayList<>();
    for (TensorTask t : tasks) {
      long n = t.source().spec().numElements();
      long perShard = maxShardBytes / t.source().spec().dtype().byteSize();
      perShard = Math.min((Integer.MAX_VALUE / align) * align, Math.max(align, perShard - perShard % align));
      int s = 0;
      long first = 0;
      do {
        shards.add(new Shard(t.index(), s++, first, (int) Math.min(perShard, n - first)));
        first += perShard;
      } while (first < n);
    }
    return shards;
  }
}
