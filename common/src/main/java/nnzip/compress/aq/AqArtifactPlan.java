package nnzip.compress.aq;

import nnzip.Digests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.artifact.ArtifactWriter;
import nnzip.artifact.Chunk;
import nnzip.artifact.EntryData;
import nnzip.artifact.Manifest;
import nnzip.artifact.StoredEntry;
import nnzip.artifact.TensorRecord;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.Codebooks;
import nnzip.compress.ShardEncoder;
import nnzip.compress.ShardResult;
import nnzip.compress.TensorStatistics;
import nnzip.compress.TensorTask;
import nnzip.io.ModelSource;
import nnzip.stats.ErrorStats;
import org.apache.hadoop.fs.Path;

/**
 * The artifact of an aq run: per coded tensor its packed codes (and scale), the codebooks once per
 * group (under {@code nnzip.codebook.*} when shared by every tensor), passthrough tensors as they are.
 * Parameters: {@code codewords} (M × K × d F32), {@code shape} ({M, K, d}), {@code scale} ([1]).
 */
public final class AqArtifactPlan {
  private final Manifest manifest;
  private final Map<String, EntryData> data = new LinkedHashMap<>();
  private final boolean half;

  /**
   * @param tasks every source tensor's task (codec unused)
   * @param coded the aq tensors by task index
   * @param books final codebooks by group
   * @param results the final encode's shard results, any order
   */
  public AqArtifactPlan(ModelSource source, List<TensorTask> tasks, Map<Integer, AqTensor> coded,
      List<TensorStatistics> stats, Map<Integer, Codebooks> books, AqSettings settings, List<ShardResult> results,
      Path partsDir) {
    this.half = settings.halfCodebooks();
    List<ShardResult> sorted = new ArrayList<>(results);
    sorted.sort(java.util.Comparator.comparing(ShardResult::shard, nnzip.compress.Shard.ORDER));
    List<TensorRecord> records = new ArrayList<>();
    List<StoredEntry> shared = new ArrayList<>();
    if (settings.shared() && !coded.isEmpty()) {
      addBooks(shared, Manifest.SHARED_PREFIX, books.get(0), settings.params());
    }
    for (TensorTask t : tasks) {
      String name = t.source().spec().name();
      TensorStatistics s = stats.get(t.index());
      AqTensor a = coded.get(t.index());
      if (a == null) {
        records.add(new TensorRecord(t.source().spec(), nnzip.codec.CodecKind.PASSTHROUGH, 0, null, 1, 0, s.original(), 0, 0,
            List.of(new StoredEntry(name, StoredEntry.DATA, s.original()))));
        data.put(name, new EntryData.SourceRange(t.source()));
        continue;
      }
      List<Chunk> chunks = new ArrayList<>();
      List<String> parts = new ArrayList<>();
      ErrorStats error = ErrorStats.EMPTY;
      for (ShardResult r : sorted) {
        if (r.shard().tensorIndex() == t.index()) {
          chunks.add(r.codes());
          parts.add(new Path(partsDir, ShardEncoder.partName(r.shard())).toString());
          error = error.merge(r.error());
        }
      }
      List<StoredEntry> entries = new ArrayList<>();
      entries.add(new StoredEntry(name + ".codes", StoredEntry.CODES, chunks));
      data.put(name + ".codes", new EntryData.Parts(parts));
      if (settings.normalize()) {
        addParam(entries, name + ".", "scale", new float[] {a.scale()});
      }
      if (!settings.shared()) {
        addBooks(entries, name + ".", books.get(a.group()), settings.params());
      }
      records.add(new TensorRecord(t.source().spec(), nnzip.codec.CodecKind.AQ, settings.params().codebookBits(),
          settings.shared() ? Manifest.GLOBAL_SCOPE : "tensor", 1, 0, s.original(),
          error.relativeMse(s.moments().variance()), error.maxAbsError(), entries));
    }
    manifest = new Manifest(Manifest.FORMAT_VERSION, source.format(), source.metadata(),
        source.graph() == null ? null : Manifest.ONNX_GRAPH_KEY, records, shared);
    if (source.graph() != null) {
      data.put(Manifest.ONNX_GRAPH_KEY, new EntryData.InMemory(source.graph()));
    }
  }

  private void addBooks(List<StoredEntry> target, String prefix, Codebooks b, AqParams p) {
    addParam(target, prefix, "codewords", b.values(), half);
    addParam(target, prefix, "shape", new float[] {p.codebooks(), p.codewords(), p.dim()}, false);
  }

  private void addParam(List<StoredEntry> target, String prefix, String name, float[] values) {
    addParam(target, prefix, name, values, false);
  }

  private void addParam(List<StoredEntry> target, String prefix, String name, float[] values, boolean asHalf) {
    byte[] bytes = asHalf ? ArtifactWriter.halfBytes(values) : ArtifactWriter.floatBytes(values);
    target.add(new StoredEntry(prefix + name, (asHalf ? StoredEntry.HALF_PARAM_PREFIX : StoredEntry.PARAM_PREFIX) + name,
        List.of(new Chunk(bytes.length, Digests.hex(Digests.sha256().digest(bytes))))));
    data.put(prefix + name, new EntryData.InMemory(bytes));
  }

  public Manifest manifest() {
    return manifest;
  }

  /** Where each stored entry's bytes come from. */
  public Map<String, EntryData> entryData() {
    return data;
  }
}
