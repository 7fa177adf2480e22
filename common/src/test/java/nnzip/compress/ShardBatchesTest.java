package nnzip.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.io.StoredTensor;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

class ShardBatchesTest {
  private static List<TensorTask> tasks(long... elements) {
    List<TensorTask> tasks = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < elements.length; i++) {
      TensorSpec spec = new TensorSpec("t" + i, DType.F32, new long[] {elements[i]});
      tasks.add(new TensorTask(i, new StoredTensor(spec, "file:///m.safetensors", offset), null, nnzip.codec.Scope.TENSOR));
      offset += spec.byteSize();
    }
    return tasks;
  }

  @Test
  void aHundredThousandOneElementTensorsTravelInAFewBatchesOfConsecutiveShards() {
    long[] ones = new long[100_000];
    java.util.Arrays.fill(ones, 1);
    List<TensorTask> tasks = tasks(ones);
    List<Shard> shards = ShardPlanner.plan(tasks, 64 << 20);
    List<ArrayList<Shard>> batches = ShardBatches.of(shards, tasks, ShardBatches.TARGET_BYTES);
    assertEquals((100_000 + ShardBatches.MAX_SHARDS - 1) / ShardBatches.MAX_SHARDS, batches.size());
    assertEquals(shards, batches.stream().flatMap(List::stream).toList(), "every shard once, in plan order");
  }

  @Test
  void batchesRespectTheByteBoundAndLargeShardsStayAlone() {
    SplittableRandom rng = new SplittableRandom(3);
    long[] sizes = new long[500];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = rng.nextInt(4) == 0 ? 1 + rng.nextInt(3_000_000) : 1 + rng.nextInt(2_000);
    }
    List<TensorTask> tasks = tasks(sizes);
    List<Shard> shards = ShardPlanner.plan(tasks, 4 << 20);
    long max = 1 << 20;
    List<ArrayList<Shard>> batches = ShardBatches.of(shards, tasks, max);
    assertEquals(shards, batches.stream().flatMap(List::stream).toList());
    for (List<Shard> b : batches) {
      long bytes = b.stream().mapToLong(s -> 4L * s.count()).sum();
      assertTrue(b.size() == 1 || bytes <= max, b.size() + " shards of " + bytes + " bytes");
      assertTrue(b.size() <= ShardBatches.MAX_SHARDS);
    }
    // Greedy: a batch closes only when the next shard would not fit, so two neighbours never fit in one.
    for (int i = 0; i + 1 < batches.size(); i++) {
      long bytes = batches.get(i).stream().mapToLong(s -> 4L * s.count()).sum();
      assertTrue(batches.get(i).size() == ShardBatches.MAX_SHARDS || bytes + 4L * batches.get(i + 1).get(0).count() > max);
    }
  }
}
