package nnzip.job;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import nnzip.compress.LocalShardAggregator;
import nnzip.compress.Shard;
import nnzip.compress.ShardAggregator;
import nnzip.compress.TensorTask;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * The {@link ShardAggregator} of the compress job: broadcast the model, compute each shard's
 * statistic on the executor that reads it, sum blocks of consecutive shards on executors and the
 * blocks in order on the driver, destroy the broadcast. Only statistics reach the driver.
 */
final class SparkShardAggregator implements ShardAggregator {
  private final JavaSparkContext sc;
  private final List<TensorTask> tasks;
  private final List<Shard> shards;
  private final int slices;

  /**
   * @param tasks every task, by index (shipped with each Spark task's closure: small records)
   * @param shards the shards to aggregate over
   * @param partitions Spark partitions, 0 for the default parallelism
   */
  SparkShardAggregator(JavaSparkContext sc, List<TensorTask> tasks, List<Shard> shards, int partitions) {
    this.sc = sc;
    this.tasks = List.copyOf(tasks);
    this.shards = List.copyOf(shards);
    this.slices = Math.max(1, Math.min(Math.max(1, shards.size()), partitions > 0 ? partitions : sc.defaultParallelism()));
  }

  @Override
  public ShardAggregator restrictedTo(Set<Integer> tensors) {
    return new SparkShardAggregator(sc, tasks, shards.stream().filter(s -> tensors.contains(s.tensorIndex())).toList(),
        slices);
  }

  @Override
  public <M extends Serializable, T extends Serializable> Map<Integer, T> sum(M model, Grouping grouping,
      PerShard<M, T> perShard, Merge<T> merge) {
    if (shards.isEmpty()) {
      return new TreeMap<>();
    }
    Broadcast<M> cast = sc.broadcast(model);
    Broadcast<List<TensorTask>> taskCast = sc.broadcast(tasks);
    try {
      List<Tuple2<Tuple2<Integer, Long>, T>> blocks = sc.parallelize(shards, slices)
          .mapToPair(s -> {
            T r = perShard.apply(cast.value(), s.tensorIndex(), s,
                LocalShardAggregator.read(taskCast.value().get(s.tensorIndex()), s));
            return new Tuple2<>(new Tuple2<>(grouping.groupOf(s.tensorIndex()), ShardAggregator.blockOf(s)),
                new Tuple2<>(s, r));
          })
          .groupByKey(slices)
          .mapToPair(kv -> {
            List<Map.Entry<Shard, T>> parts = new ArrayList<>();
            kv._2().forEach(e -> parts.add(new AbstractMap.SimpleEntry<>(e._1(), e._2())));
            return new Tuple2<>(kv._1(), ShardAggregator.mergeBlock(parts, merge));
          })
          .collect();
      List<Map.Entry<long[], T>> sums = new ArrayList<>();
      for (Tuple2<Tuple2<Integer, Long>, T> b : blocks) {
        sums.add(new AbstractMap.SimpleEntry<>(new long[] {b._1()._1(), b._1()._2()}, b._2()));
      }
      return ShardAggregator.mergeBlocks(sums, merge);
    } finally {
      cast.destroy();
      taskCast.destroy();
    }
  }

  @Override
  public <I extends Serializable, O extends Serializable> Map<Integer, O> map(Map<Integer, I> inputs,
      PerGroup<I, O> fn) {
    List<Tuple2<Integer, I>> list = new ArrayList<>();
    inputs.forEach((g, in) -> list.add(new Tuple2<>(g, in)));
    if (list.isEmpty()) {
      return new TreeMap<>();
    }
    return new TreeMap<>(sc.parallelize(list, Math.max(1, Math.min(list.size(), slices)))
        .mapToPair(kv -> new Tuple2<>(kv._1(), fn.apply(kv._1(), kv._2())))
        .collectAsMap());
  }
}
