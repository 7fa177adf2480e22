package nnzip.compress;

import nnzip.Digests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.artifact.Chunk;
import nnzip.artifact.EntryData;
import nnzip.artifact.Manifest;
import nnzip.artifact.StoredEntry;
import nnzip.artifact.TensorRecord;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.io.ModelSource;
import nnzip.stats.ErrorStats;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.Path;

/**
 * Turns the results of the two passes into the artifact's manifest and the data source of each
 * stored entry. Runs on the driver over small records only. A codec parameter whose values are all
 * F16 values (rounded so by {@link SideInformation}) is stored as F16, role {@code param16:<name>}.
 */
public final class ArtifactPlan {
  private ArtifactPlan() {}

  /** The manifest: one record per source tensor, in source order. */
  public static Manifest manifest(ModelSource source, List<TensorTask> tasks, List<TensorStatistics> stats,
      List<ShardResult> results) {
    Map<Integer, List<ShardResult>> byTensor = byTensor(results);
    List<TensorRecord> records = new ArrayList<>();
    List<StoredEntry> shared = new ArrayList<>();
    for (TensorTask t : tasks) {
      TensorSpec spec = t.source().spec();
      TensorStatistics s = stats.get(t.index());
      if (t.isPassthrough()) {
        records.add(new TensorRecord(spec, nnzip.codec.CodecKind.PASSTHROUGH, 0, null, 1, 0, s.original(), 0, 0,
            List.of(new StoredEntry(spec.name(), StoredEntry.DATA, s.original()))));
        continue;
      }
      ScalarCodec.Quantizer q = s.quantizer();
      List<StoredEntry> entries = new ArrayList<>();
      List<Chunk> codeChunks = new ArrayList<>();
      ErrorStats error = ErrorStats.EMPTY;
      for (ShardResult r : byTensor.getOrDefault(t.index(), List.of())) {
        codeChunks.add(r.codes());
        error = error.merge(r.error());
      }
      entries.add(new StoredEntry(spec.name() + ".codes", StoredEntry.CODES, codeChunks));
      Scope scope = s.scopeOf(t);
      boolean global = scope == Scope.GLOBAL;
      if (!global || shared.isEmpty()) {
        // Global scope: the one shared quantizer's parameters are stored once, under nnzip.codebook.*.
        String prefix = global ? Manifest.SHARED_PREFIX : spec.name() + ".";
        List<StoredEntry> target = global ? shared : entries;
        q.parameters().forEach((name, values) -> {
          byte[] bytes = SideInformation.bytes(values);
          target.add(new StoredEntry(prefix + name, SideInformation.role(name, values),
              List.of(new Chunk(bytes.length, digest(bytes)))));
        });
      }
      records.add(new TensorRecord(spec, t.codec().kind(), q.bits(), scope.label(),
          s.layoutOf(t).channels(), t.channelAxis(), s.original(), error.relativeMse(s.moments().variance()), error.maxAbsError(), entries));
    }
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, source.format(), source.metadata(),
        source.graph() == null ? null : Manifest.ONNX_GRAPH_KEY, records, shared);
    checkUniqueKeys(m);
    return m;
  }

  /** Where each stored entry's bytes come from. */
  public static Map<String, EntryData> entryData(Manifest manifest, ModelSource source, List<TensorTask> tasks,
      List<TensorStatistics> stats, List<ShardResult> results, Path partsDir) {
    Map<Integer, List<ShardResult>> byTensor = byTensor(results);
    Map<String, EntryData> data = new LinkedHashMap<>();
    for (TensorTask t : tasks) {
      String name = t.source().spec().name();
      if (t.isPassthrough()) {
        data.put(name, new EntryData.SourceRange(t.source()));
        continue;
      }
      List<String> parts = new ArrayList<>();
      for (ShardResult r : byTensor.getOrDefault(t.index(), List.of())) {
        parts.add(new Path(partsDir, ShardEncoder.partName(r.shard())).toString());
      }
      data.put(name + ".codes", new EntryData.Parts(parts));
      String prefix = t.scope() == Scope.GLOBAL ? Manifest.SHARED_PREFIX : name + ".";
      stats.get(t.index()).quantizer().parameters().forEach(
          (p, values) -> data.put(prefix + p, new EntryData.InMemory(SideInformation.bytes(values))));
    }
    if (manifest.graphKey() != null) {
      data.put(manifest.graphKey(), new EntryData.InMemory(source.graph()));
    }
    return data;
  }

  /** Results grouped by tensor, each group in shard order whatever order the executors returned. */
  private static Map<Integer, List<ShardResult>> byTensor(List<ShardResult> results) {
    List<ShardResult> sorted = new ArrayList<>(results);
    sorted.sort(java.util.Comparator.comparing(ShardResult::shard, nnzip.compress.Shard.ORDER));
    Map<Integer, List<ShardResult>> m = new LinkedHashMap<>();
    for (ShardResult r : sorted) {
      m.computeIfAbsent(r.shard().tensorIndex(), k -> new ArrayList<>()).add(r);
    }
    return m;
  }

  private static void checkUniqueKeys(Manifest m) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    if (m.graphKey() != null) {
      seen.add(m.graphKey());
    }
    for (StoredEntry e : m.allEntries()) {
      if (!seen.add(e.key())) {
        throw new nnzip.InvalidInputException("tensor names clash in the artifact: '" + e.key()
            + "' is both a source tensor and a stored part of another");
      }
    }
  }


  private static String digest(byte[] bytes) {
    return Digests.hex(Digests.sha256().digest(bytes));
  }
}
