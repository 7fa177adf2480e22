package nnzip.compress;

import java.io.Serializable;
import java.util.Comparator;

/**
 * A contiguous run of one tensor's elements that one task encodes. Every shard but a tensor's
 * last holds a multiple of 8 elements, so packed codes of consecutive shards concatenate into
 * the tensor's packed codes whatever the bit width.
 *
 * @param tensorIndex index of the tensor task
 * @param shardIndex position of this shard within its tensor
 * @param first first element
 * @param count number of elements, ≥ 1 (0 only for the one shard of an empty tensor)
 */
public record Shard(int tensorIndex, int shardIndex, long first, int count) implements Serializable {
  /**
   * Tensor order, then shard order within a tensor: the one order every merge of per-shard results
   * follows, so artifacts are byte-identical whatever the partitioning or task order.
   */
  public static final Comparator<Shard> ORDER =
      Comparator.comparingInt(Shard::tensorIndex).thenComparingInt(Shard::shardIndex);
}
