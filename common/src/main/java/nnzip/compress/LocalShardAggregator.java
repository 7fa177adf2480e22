package nnzip.compress;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnzip.io.HadoopFiles;

/**
 * A {@link ShardAggregator} in this process: the single-machine trainers and the tests run the same
 * round loop as the Spark job through it, with the same block order, so their sums are bit for bit
 * the job's.
 */
public final class LocalShardAggregator implements ShardAggregator {
  /** The original values of one shard. */
  public interface ShardValues {
    float[] of(Shard shard);
  }

  private final List<Shard> shards;
  private final ShardValues values;

  /**
   * @param shards the coded shards, any order
   * @param values reads a shard's values
   */
  public LocalShardAggregator(List<Shard> shards, ShardValues values) {
    this.shards = List.copyOf(shards);
    this.values = values;
  }

  /** Shards of tensors in files, read through {@link TensorReader}. */
  public static LocalShardAggregator overFiles(List<TensorTask> tasks, List<Shard> shards) {
    return new LocalShardAggregator(shards, s -> read(tasks.get(s.tensorIndex()), s));
  }

  /**
   * Tensors in memory, cut into shards of {@code shardElements} (a multiple of 8·d for aq).
   *
   * @param tensors values by tensor index
   */
  public static LocalShardAggregator inMemory(Map<Integer, float[]> tensors, int shardElements) {
    List<Shard> shards = new ArrayList<>();
    tensors.forEach((t, v) -> {
      int index = 0;
      for (long first = 0; first < v.length; first += shardElements) {
        shards.add(new Shard(t, index++, first, (int) Math.min(shardElements, v.length - first)));
      }
    });
    return new LocalShardAggregator(shards, s -> java.util.Arrays.copyOfRange(tensors.get(s.tensorIndex()),
        (int) s.first(), (int) s.first() + s.count()));
  }

  /** A shard's original values as floats. */
  public static float[] read(TensorTask task, Shard shard) {
    float[] v = new float[shard.count()];
    int[] pos = {0};
    TensorReader.read(HadoopFiles.fileSystem(task.source().file()), task.source(), shard.first(), shard.count(),
        (raw, values, n, first) -> {
          System.arraycopy(values, 0, v, pos[0], n);
          pos[0] += n;
        });
    return v;
  }

  @Override
  public ShardAggregator restrictedTo(java.util.Set<Integer> tensors) {
    return new LocalShardAggregator(shards.stream().filter(s -> tensors.contains(s.tensorIndex())).toList(), values);
  }

  @Override
  public <M extends Serializable, T extends Serializable> Map<Integer, T> sum(M model, Grouping grouping,
      PerShard<M, T> perShard, Merge<T> merge) {
    Map<List<Long>, List<Map.Entry<Shard, T>>> blocks = new LinkedHashMap<>();
    for (Shard s : shards) {
      long group = grouping.groupOf(s.tensorIndex());
      T r = perShard.apply(model, s.tensorIndex(), s, values.of(s));
      blocks.computeIfAbsent(List.of(group, ShardAggregator.blockOf(s)), k -> new ArrayList<>())
          .add(new AbstractMap.SimpleEntry<>(s, r));
    }
    List<Map.Entry<long[], T>> sums = new ArrayList<>();
    blocks.forEach((k, parts) -> sums.add(new AbstractMap.SimpleEntry<>(new long[] {k.get(0), k.get(1)},
        ShardAggregator.mergeBlock(parts, merge))));
    return ShardAggregator.mergeBlocks(sums, merge);
  }

  @Override
  public <I extends Serializable, O extends Serializable> Map<Integer, O> map(Map<Integer, I> inputs,
      PerGroup<I, O> fn) {
    Map<Integer, O> out = new TreeMap<>();
    inputs.forEach((g, in) -> out.put(g, fn.apply(g, in)));
    return out;
  }
}
