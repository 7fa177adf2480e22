package nnzip.compress;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.uniform.UniformCodec;
import nnzip.io.StoredTensor;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

/** Shard plans: exact cover of every coded tensor, whole bytes between shards, nothing else. */
class ShardPlannerTest {

  private static TensorTask task(int index, DType dtype, long[] shape, boolean coded, String file, long offset) {
    StoredTensor t = new StoredTensor(new TensorSpec("t" + index, dtype, shape), file, offset);
    return new TensorTask(index, t, coded ? new UniformCodec(4) : null, Scope.CHANNEL);
  }

  /** A model-like mix: odd sizes, every floating dtype, a few passthrough tensors. */
  private static List<TensorTask> tasks(long seed, String file, int bits) {
    SplittableRandom rnd = new SplittableRandom(seed);
    DType[] dtypes = {DType.F32, DType.F16, DType.BF16, DType.F64};
    List<TensorTask> tasks = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < 40; i++) {
      DType d = dtypes[rnd.nextInt(dtypes.length)];
      long[] shape = {1 + rnd.nextInt(50), 1 + rnd.nextInt(300)};
      boolean coded = rnd.nextInt(4) != 0;
      StoredTensor st = new StoredTensor(new TensorSpec("t" + i, d, shape), file, offset);
      tasks.add(new TensorTask(i, st, coded ? new UniformCodec(bits) : null, Scope.CHANNEL));
      offset += st.spec().byteSize();
    }
    return tasks;
  }

  @Test
  void shardsCoverEveryTensorExactlyInOrderWithoutOverlap() {
    List<TensorTask> tasks = tasks(1, "file:/m.safetensors", 4);
    for (long bound : new long[] {64, 100, 1000, 4096, 1 << 20}) {
      List<Shard> plan = ShardPlanner.plan(tasks, bound);
      int k = 0;
      for (TensorTask t : tasks) {
        long n = t.source().spec().numElements();
        long next = 0;
        int shardIndex = 0;
        while (k < plan.size() && plan.get(k).tensorIndex() == t.index()) {
          Shard s = plan.get(k++);
          assertEquals(shardIndex++, s.shardIndex(), "shards numbered from 0 within a tensor");
          assertEquals(next, s.first(), "shards are contiguous");
          assertTrue(s.count() >= 1 || n == 0, "no empty shard but for an empty tensor");
          assertTrue((long) s.count() * t.source().spec().dtype().byteSize() <= bound,
              "shard of " + s.count() + " " + t.source().spec().dtype() + " exceeds " + bound + " bytes");
          next += s.count();
          if (next < n) {
            assertEquals(0, s.count() % 8, "every shard but the last holds a multiple of 8 elements");
          }
        }
        assertEquals(n, next, "tensor " + t.index() + " covered exactly with bound " + bound);
      }
      assertEquals(plan.size(), k, "shards in task order, passthrough tensors included (pass 1 digests them)");
    }
  }

  @Test
  void shardSizesUseAsMuchOfTheBoundAsMultiplesOfEightAllow() {
    TensorTask f32 = task(0, DType.F32, new long[] {10, 100}, true, "f", 0);
    List<Shard> plan = ShardPlanner.plan(List.of(f32), 100); // 25 elements → 24 per shard
    assertEquals(42, plan.size()); // ceil(1000 / 24)
    assertEquals(24, plan.get(0).count());
    assertEquals(1000 - 41 * 24, plan.get(41).count());
    TensorTask f64 = task(0, DType.F64, new long[] {3, 7}, true, "f", 0);
    assertEquals(List.of(new Shard(0, 0, 0, 8), new Shard(0, 1, 8, 8), new Shard(0, 2, 16, 5)),
        ShardPlanner.plan(List.of(f64), 64));
  }

  @Test
  void passthroughTensorsAreShardedAndAnEmptyTensorGetsOneEmptyShard() {
    List<TensorTask> tasks = List.of(
        task(0, DType.F32, new long[] {4, 4}, false, "f", 0),
        task(1, DType.F32, new long[] {4, 0}, true, "f", 64),
        task(2, DType.F16, new long[] {2, 4}, true, "f", 64));
    assertEquals(List.of(new Shard(0, 0, 0, 16), new Shard(1, 0, 0, 0), new Shard(2, 0, 0, 8)),
        ShardPlanner.plan(tasks, 64));
  }

  @Test
  void thePlanDependsOnlyOnTheTensorsAndTheByteBound() {
    List<TensorTask> a = tasks(2, "file:/a/model.safetensors", 4);
    List<TensorTask> b = new ArrayList<>();
    for (TensorTask t : tasks(2, "hdfs://nn/elsewhere/other.safetensors", 8)) {
      // Another file, offsets shifted, another bit width and scope: same tensors otherwise.
      StoredTensor moved = new StoredTensor(t.source().spec(), t.source().file(), t.source().offset() + 4096);
      b.add(new TensorTask(t.index(), moved, t.codec(), Scope.TENSOR));
    }
    for (long bound : new long[] {64, 333, 8192}) {
      List<Shard> plan = ShardPlanner.plan(a, bound);
      assertEquals(plan, ShardPlanner.plan(a, bound), "planning twice gives the same plan");
      assertEquals(plan, ShardPlanner.plan(b, bound), "bound " + bound);
    }
    assertNotEquals(ShardPlanner.plan(a, 64), ShardPlanner.plan(a, 8192), "the bound matters");
  }

  @Test
  void settingsPlanTheSameShardsAsHandBuiltTasks() {
    CompressionSettings settings = TestSettings.of(CodecKind.UNIFORM, 3, Scope.CHANNEL).keep(".*\\.skip").shardBytes(256)
        .build();
    List<TensorTask> tasks = List.of(
        settings.taskFor(0, new StoredTensor(new TensorSpec("a", DType.F32, new long[] {8, 20}), "f", 0)),
        settings.taskFor(1, new StoredTensor(new TensorSpec("a.skip", DType.F32, new long[] {8, 20}), "f", 640)),
        settings.taskFor(2, new StoredTensor(new TensorSpec("bias", DType.F32, new long[] {8}), "f", 1280)),
        settings.taskFor(3, new StoredTensor(new TensorSpec("ids", DType.I64, new long[] {8, 2}), "f", 1312)));
    assertFalse(tasks.get(0).isPassthrough());
    assertTrue(tasks.get(1).isPassthrough(), "name pattern");
    assertTrue(tasks.get(2).isPassthrough(), "rank ≤ 1");
    assertTrue(tasks.get(3).isPassthrough(), "integer dtype");
    List<Shard> plan = ShardPlanner.plan(tasks, settings.shardBytes());
    // 160 F32 elements, 64 per shard, for each of the two [8, 20] tensors; one shard each for the others.
    assertEquals(List.of(3L, 3L, 1L, 1L), java.util.stream.IntStream.range(0, 4)
        .mapToObj(i -> plan.stream().filter(s -> s.tensorIndex() == i).count()).toList());
  }

  @Test
  void boundsBelowSixtyFourBytesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> ShardPlanner.plan(List.of(), 63));
  }
}
