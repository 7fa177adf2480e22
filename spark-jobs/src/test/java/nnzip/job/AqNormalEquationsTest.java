package nnzip.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnzip.codec.Scope;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.Codebooks;
import nnzip.codec.aq.NormalEquations;
import nnzip.codec.aq.ResidualKMeans;
import nnzip.compress.Shard;
import nnzip.compress.ShardPlanner;
import nnzip.compress.TensorTask;
import nnzip.compress.aq.AqShards;
import nnzip.compress.aq.AqTensor;
import nnzip.io.HadoopFiles;
import nnzip.io.safetensors.SafetensorsReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distributed sums BᵀB and BᵀX of an aq round against the same sums on one machine. */
class AqNormalEquationsTest {
  @TempDir static Path dir;
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = JavaSparkContext.fromSparkContext(SparkSessions.create("local[2]", "aq sums test").sparkContext());
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void distributedSumsEqualTheSingleMachineSumsWhateverThePartitioning() throws IOException {
    Path file = nnzip.cli.TestModelsAccess.write(dir, "m.safetensors");
    FileSystem fs = HadoopFiles.fileSystem(file.toUri().toString());
    var stored = SafetensorsReader.tensors(fs, new org.apache.hadoop.fs.Path(file.toUri()));
    AqParams p = new AqParams(8, 2, 4, 4, 1, 0, 7);
    Map<Integer, AqTensor> coded = new TreeMap<>();
    List<TensorTask> tasks = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      TensorTask t = new TensorTask(i, stored.get(i), null, Scope.TENSOR);
      tasks.add(t);
      if (stored.get(i).spec().dtype().isFloating() && stored.get(i).spec().shape().length >= 2) {
        coded.put(i, new AqTensor(t, 0, 1f));
      }
    }
    List<Shard> shards = ShardPlanner.plan(tasks, 1024, AqShards.alignment(p.dim())).stream()
        .filter(s -> coded.containsKey(s.tensorIndex())).toList();
    // Codebooks from the first shard's subvectors; any fixed codebooks will do for comparing sums.
    AqTensor first = coded.get(shards.get(0).tensorIndex());
    float[] start = AqShards.subvectors(fs, first, shards.get(0), p.dim());
    Codebooks books = ResidualKMeans.fit(start, start.length / p.dim(), p.dim(), p.codebooks(), p.codewords(), 5, 1);
    Broadcast<Map<Integer, AqTensor>> cast = sc.broadcast(coded);

    // Single machine: every shard's sums, merged in shard order; and one pass over all subvectors.
    AdditiveQuantizer q = new AdditiveQuantizer(books, p);
    NormalEquations ordered = null;
    NormalEquations onePass = NormalEquations.like(books);
    for (Shard s : shards) {
      NormalEquations ne = AqShards.normalEquations(fs, coded.get(s.tensorIndex()), s, q);
      ordered = ordered == null ? ne : ordered.merge(ne);
      float[] x = AqShards.subvectors(fs, coded.get(s.tensorIndex()), s, p.dim());
      int n = x.length / p.dim();
      int[] codes = new int[n * p.codebooks()];
      q.encode(x, n, codes, null);
      onePass.add(codes, x, n);
    }
    for (int slices : new int[] {1, 3}) {
      NormalEquations spark = AqCompressJob.normalEquations(sc, shards, cast, p, Map.of(0, books), slices).get(0);
      assertEquals(onePass.count(), spark.count());
      for (int c = 0; c < p.codebooks(); c++) {
        for (int j = 0; j < p.codewords(); j++) {
          assertEquals(onePass.usage(c, j), spark.usage(c, j), "usage counts are exact");
          assertEquals(onePass.gram(0, j, 1, (j * 7) % p.codewords()), spark.gram(0, j, 1, (j * 7) % p.codewords()));
        }
      }
      assertArrayEquals(ordered.projections(), spark.projections(), "BᵀX merged in shard order, " + slices + " slices");
      double[] a = onePass.projections();
      double[] b = spark.projections();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-9 * (1 + Math.abs(a[i])), "BᵀX equals the one-pass sum up to rounding");
      }
    }
    cast.destroy();
  }
}
