package nnzip.compress;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nnzip.artifact.Chunk;
import nnzip.artifact.EntryData;
import nnzip.artifact.Manifest;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.ScalarCodec;
import nnzip.io.ModelSource;
import nnzip.io.StoredTensor;
import nnzip.stats.ErrorStats;
import nnzip.stats.Moments;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** The plan of an artifact depends on the shard results, never on the order they arrive in. */
class ArtifactPlanTest {

  @Test
  void shardResultsInAnyOrderGiveTheSameManifestAndEntryData() {
    CompressionSettings settings = TestSettings.of(CodecKind.UNIFORM, 4, Scope.CHANNEL).shardBytes(64).build();
    List<StoredTensor> stored = List.of(
        new StoredTensor(new TensorSpec("a", DType.F32, new long[] {4, 30}), "file:/m", 0),
        new StoredTensor(new TensorSpec("b", DType.F32, new long[] {8}), "file:/m", 480),
        new StoredTensor(new TensorSpec("c", DType.F16, new long[] {6, 20}), "file:/m", 512));
    ModelSource source = new ModelSource(ModelSource.SAFETENSORS, stored, Map.of(), 752, null, Map.of());
    List<TensorTask> tasks = new ArrayList<>();
    List<TensorStatistics> stats = new ArrayList<>();
    Map<Integer, FittedTensor> fitted = new java.util.TreeMap<>();
    for (int i = 0; i < stored.size(); i++) {
      TensorTask t = settings.taskFor(i, stored.get(i));
      tasks.add(t);
      ScalarCodec.Quantizer q = null;
      if (!t.isPassthrough()) {
        ScalarCodec.Summary s = t.codec().newSummary(t.layout());
        s.add(new float[] {-1, 1}, 2, 0);
        q = t.codec().fit(s);
      }
      stats.add(new TensorStatistics(i, List.of(new nnzip.artifact.Chunk(0, "%064d".formatted(i))), new Moments(), q));
      if (q != null) {
        fitted.put(i, new FittedTensor(t.kind(), q, t.scope(), t.layout().channels(), t.channelAxis()));
      }
    }
    List<ShardResult> sorted = new ArrayList<>();
    for (Shard s : ShardPlanner.plan(tasks, settings.shardBytes())) {
      sorted.add(new ShardResult(s, new Chunk(s.count() / 2, "%064x".formatted(s.shardIndex() * 100 + s.tensorIndex())),
          new ErrorStats(s.count(), s.shardIndex(), s.shardIndex())));
    }
    Path parts = new Path("file:/tmp/parts");
    Manifest want = ArtifactPlan.manifest(source, tasks, stats, fitted, sorted);
    Map<String, EntryData> wantData = ArtifactPlan.entryData(want, source, tasks, fitted, sorted, parts);
    List<ShardResult> shuffled = new ArrayList<>(sorted);
    Collections.shuffle(shuffled, new Random(1));
    assertNotEquals(sorted, shuffled);
    assertEquals(want, ArtifactPlan.manifest(source, tasks, stats, fitted, shuffled));
    assertEquals(wantData.get("a.codes"), ArtifactPlan.entryData(want, source, tasks, fitted, shuffled, parts).get("a.codes"));
    assertEquals(wantData.get("c.codes"), ArtifactPlan.entryData(want, source, tasks, fitted, shuffled, parts).get("c.codes"));
  }
}
