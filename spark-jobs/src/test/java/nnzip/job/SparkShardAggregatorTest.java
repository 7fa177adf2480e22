package nnzip.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.Codebooks;
import nnzip.codec.aq.NormalEquations;
import nnzip.codec.aq.ResidualKMeans;
import nnzip.compress.LocalShardAggregator;
import nnzip.compress.Shard;
import nnzip.compress.ShardAggregator;
import nnzip.compress.ShardEncoder;
import nnzip.compress.ShardPlanner;
import nnzip.compress.TensorTask;
import nnzip.compress.aq.AqFit;
import nnzip.compress.aq.AqSettings;
import nnzip.compress.aq.AqTensor;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.tensor.DType;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aq round loop on Spark against the same loop in one process (the single-machine trainer's
 * aggregator): the same sums and the same codebooks bit for bit, whatever the partitioning.
 */
class SparkShardAggregatorTest {
  @TempDir static Path dir;
  static JavaSparkContext sc;
  static List<TensorTask> tasks;
  static List<Shard> shards;
  static Map<Integer, AqTensor> pool;
  static final AqParams P = new AqParams(8, 2, 4, 4, 2, 0, 7);

  @BeforeAll
  static void start() throws IOException {
    sc = JavaSparkContext.fromSparkContext(SparkSessions.create("local[2]", "aq sums test").sparkContext());
    Path file = nnzip.cli.TestModelsAccess.write(dir, "m.safetensors");
    var stored = SafetensorsReader.tensors(nnzip.io.HadoopFiles.fileSystem(file.toUri().toString()),
        new org.apache.hadoop.fs.Path(file.toUri()));
    pool = new TreeMap<>();
    tasks = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      boolean coded = stored.get(i).spec().dtype().isFloating() && stored.get(i).spec().shape().length >= 2;
      tasks.add(new TensorTask(i, stored.get(i), coded ? CodecKind.AQ : CodecKind.PASSTHROUGH, null, Scope.TENSOR, 0));
      if (coded) {
        pool.put(i, new AqTensor(0, 1f, stored.get(i).spec().numElements()));
      }
    }
    // Small shards, so tensors span several merge blocks.
    shards = ShardPlanner.plan(tasks, 256, ShardEncoder.alignment(P.dim())).stream()
        .filter(s -> pool.containsKey(s.tensorIndex())).toList();
    assertTrue(shards.size() > ShardAggregator.MERGE_BLOCK, shards.size() + " shards");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void distributedSumsEqualTheSingleMachineSumsWhateverThePartitioning() {
    float[] start = pool.keySet().stream().findFirst().map(t -> LocalShardAggregator.read(tasks.get(t),
        shards.get(0))).orElseThrow();
    Codebooks books = ResidualKMeans.fit(start, start.length / P.dim(), P.dim(), P.codebooks(), P.codewords(), 5, 1);
    ShardAggregator.Grouping group = t -> 0;
    NormalEquations local = AqFit.normalEquations(P, pool, group, LocalShardAggregator.overFiles(tasks, shards),
        Map.of(0, books)).get(0);
    // An independent reference: one pass over every subvector, no merging at all.
    AdditiveQuantizer q = new AdditiveQuantizer(books, P);
    NormalEquations onePass = NormalEquations.like(books);
    for (Shard s : shards) {
      float[] x = pool.get(s.tensorIndex()).subvectors(LocalShardAggregator.read(tasks.get(s.tensorIndex()), s), P.dim());
      int n = x.length / P.dim();
      int[] codes = new int[n * P.codebooks()];
      q.encode(x, n, codes, null);
      onePass.add(codes, x, n);
    }
    for (int partitions : new int[] {1, 3}) {
      NormalEquations spark = AqFit.normalEquations(P, pool, group,
          new SparkShardAggregator(sc, tasks, shards, partitions), Map.of(0, books)).get(0);
      assertEquals(onePass.count(), spark.count());
      for (int c = 0; c < P.codebooks(); c++) {
        for (int j = 0; j < P.codewords(); j++) {
          assertEquals(onePass.usage(c, j), spark.usage(c, j), "usage counts are exact");
          assertEquals(onePass.gram(0, j, 1, (j * 7) % P.codewords()), spark.gram(0, j, 1, (j * 7) % P.codewords()));
        }
      }
      assertArrayEquals(local.projections(), spark.projections(), "BᵀX merged in the same order, " + partitions);
      double[] a = onePass.projections();
      double[] b = spark.projections();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-9 * (1 + Math.abs(a[i])), "BᵀX equals the one-pass sum up to rounding");
      }
    }
  }

  @Test
  void theJobsFitIsTheSingleMachineFitBitForBit() {
    AqSettings settings = new AqSettings(P, Scope.GLOBAL, AqSettings.Normalization.NONE, 0, DType.F32, 1);
    AqFit.Result local = AqFit.fit(settings, pool, LocalShardAggregator.overFiles(tasks, shards), m -> {});
    // One partition count: the sums test above already varies it; each fit is ~8 small Spark jobs.
    for (int partitions : new int[] {3}) {
      AqFit.Result spark = AqFit.fit(settings, pool, new SparkShardAggregator(sc, tasks, shards, partitions), m -> {});
      assertEquals(local.books(), spark.books(), partitions + " partitions");
      for (int r = 0; r < local.stats().size(); r++) {
        assertEquals(local.stats().get(r).relativeMse(), spark.stats().get(r).relativeMse());
      }
    }
    assertEquals(P.iterations() + 1, local.stats().size());
    assertTrue(local.stats().get(P.iterations()).relativeMse() < local.stats().get(0).relativeMse(), local.stats().toString());
  }
}
