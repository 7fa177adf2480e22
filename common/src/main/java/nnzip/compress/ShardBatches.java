package nnzip.compress;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups consecutive shards into batches that one Spark task handles as one record: a model of
 * 100,000 one-element tensors is 100,000 shards, and a record each cost a task's overhead plus a file
 * system and a file opened per shard (3.3 ms per tensor). A batch holds at most {@code maxBytes} of
 * source bytes (the caller passes {@link #TARGET_BYTES}) and {@value #MAX_SHARDS} shards, so a large
 * tensor's shards still go one per batch and the work still spreads over executors. Batching changes only how shards travel, never a shard, so
 * results are those of the unbatched plan.
 */
public final class ShardBatches {
  /**
   * Source bytes at which a batch is closed: reading that much takes longer than a record's overhead,
   * so shards of this size or more (every shard of a large tensor) stay one per batch.
   */
  public static final long TARGET_BYTES = 4L << 20;
  /** Most shards in one batch: enough to amortize a record, few enough to keep many batches. */
  public static final int MAX_SHARDS = 1024;

  private ShardBatches() {}

  /**
   * Consecutive runs of {@code shards} in their order.
   *
   * @param shards the plan, in {@link Shard#ORDER}
   * @param tasks tensor tasks by index (for each shard's byte size)
   * @param maxBytes most source bytes per batch, ≥ 1; a shard larger than that is a batch of its own
   * @return batches (serializable lists) covering every shard once, in order
   */
  public static List<ArrayList<Shard>> of(List<Shard> shards, List<TensorTask> tasks, long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("batch bytes must be positive, got " + maxBytes);
    }
    List<ArrayList<Shard>> batches = new ArrayList<>();
    ArrayList<Shard> current = new ArrayList<>();
    long bytes = 0;
    for (Shard s : shards) {
      long b = s.count() * (long) tasks.get(s.tensorIndex()).source().spec().dtype().byteSize();
      if (!current.isEmpty() && (bytes + b > maxBytes || current.size() == MAX_SHARDS)) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(s);
      bytes += b;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }
}
