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
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.io.ModelSource;
import nnzip.stats.ErrorStats;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.Path;

/**
 * Turns the results of the passes into the artifact's manifest and the data source of each stored
 * entry, the same for every codec: per coded tensor its code parts and its coder's parameters (the
 * group's shared ones once, under {@code nnzip.codebook.*}, for global scope), passthrough tensors
 * as they are. Runs on the driver over small records only. A parameter whose values are all F16
 * values (rounded so by {@link SideInformation}, or F16 codebooks) is stored as F16, role
 * {@code param16:<name>}.
 */
public final class ArtifactPlan {
  private ArtifactPlan() {}

  /**
   * The manifest: one record per source tensor, in source order.
   *
   * @param fitted the coded tensors by task index (the others are stored as they are)
   * @param results the encode pass's shard results, any order
   */
  public static Manifest manifest(ModelSource source, List<TensorTask> tasks, List<TensorStatistics> stats,
      Map<Integer, FittedTensor> fitted, List<ShardResult> results) {
    Map<Integer, List<ShardResult>> byTensor = byTensor(results);
    List<TensorRecord> records = new ArrayList<>();
    List<StoredEntry> shared = new ArrayList<>();
    for (TensorTask t : tasks) {
      TensorSpec spec = t.source().spec();
      TensorStatistics s = stats.get(t.index());
      FittedTensor f = fitted.get(t.index());
      if (f == null) {
        records.add(new TensorRecord(spec, CodecKind.PASSTHROUGH, 0, null, 1, 0, s.original(), 0, 0,
            List.of(new StoredEntry(spec.name(), StoredEntry.DATA, s.original()))));
        continue;
      }
      List<StoredEntry> entries = new ArrayList<>();
      List<Chunk> codeChunks = new ArrayList<>();
      ErrorStats error = ErrorStats.EMPTY;
      for (ShardResult r : byTensor.getOrDefault(t.index(), List.of())) {
        codeChunks.add(r.codes());
        error = error.merge(r.error());
      }
      entries.add(new StoredEntry(spec.name() + ".codes", StoredEntry.CODES, codeChunks));
      boolean firstGlobal = f.scope() == Scope.GLOBAL && shared.isEmpty();
      for (Parameter p : parameters(spec.name(), f, firstGlobal)) {
        byte[] bytes = SideInformation.bytes(p.values());
        StoredEntry e = new StoredEntry(p.key(), SideInformation.role(p.name(), p.values()),
            List.of(new Chunk(bytes.length, digest(bytes))));
        (p.key().startsWith(Manifest.SHARED_PREFIX) ? shared : entries).add(e);
      }
      records.add(new TensorRecord(spec, f.kind(), f.coder().bits(), f.scope().label(), f.channels(),
          f.channelAxis(), s.original(), error.relativeMse(s.moments().variance()), error.maxAbsError(), entries));
    }
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, source.format(), source.metadata(),
        source.graph() == null ? null : Manifest.ONNX_GRAPH_KEY, records, shared);
    checkUniqueKeys(m);
    return m;
  }

  /** Where each stored entry's bytes come from. */
  public static Map<String, EntryData> entryData(Manifest manifest, ModelSource source, List<TensorTask> tasks,
      Map<Integer, FittedTensor> fitted, List<ShardResult> results, Path partsDir) {
    Map<Integer, List<ShardResult>> byTensor = byTensor(results);
    Map<String, EntryData> data = new LinkedHashMap<>();
    boolean sharedStored = false;
    for (TensorTask t : tasks) {
      String name = t.source().spec().name();
      FittedTensor f = fitted.get(t.index());
      if (f == null) {
        data.put(name, new EntryData.SourceRange(t.source()));
        continue;
      }
      List<String> parts = new ArrayList<>();
      for (ShardResult r : byTensor.getOrDefault(t.index(), List.of())) {
        parts.add(new Path(partsDir, ShardEncoder.partName(r.shard())).toString());
      }
      data.put(name + ".codes", new EntryData.Parts(parts));
      boolean firstGlobal = f.scope() == Scope.GLOBAL && !sharedStored;
      sharedStored |= firstGlobal;
      for (Parameter p : parameters(name, f, firstGlobal)) {
        data.put(p.key(), new EntryData.InMemory(SideInformation.bytes(p.values())));
      }
    }
    if (manifest.graphKey() != null) {
      data.put(manifest.graphKey(), new EntryData.InMemory(source.graph()));
    }
    return data;
  }

  /**
   * A coded tensor's parameters by entry key: its own as {@code <tensor>.<name>}; under global scope
   * the group's shared ones as {@code nnzip.codebook.<name>}, only for the first global tensor.
   */
  private static List<Parameter> parameters(String tensor, FittedTensor f, boolean firstGlobal) {
    List<Parameter> out = new ArrayList<>();
    java.util.Set<String> group = f.coder().groupParameters();
    f.coder().parameters().forEach((name, values) -> {
      if (f.scope() != Scope.GLOBAL || !group.contains(name)) {
        out.add(new Parameter(tensor + "." + name, name, values));
      } else if (firstGlobal) {
        out.add(new Parameter(Manifest.SHARED_PREFIX + name, name, values));
      }
    });
    return out;
  }

  /** One stored parameter: its entry key, its name for the codec, its values. */
  private record Parameter(String key, String name, float[] values) {}

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
