package nnzip.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import nnzip.Digests;
import nnzip.Version;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Assembles an artifact file by streaming: header first (every size is known from the manifest),
 * then each entry's bytes from memory, from executors' part files or from the source. Memory stays
 * flat in model size. Committing (temporary name, verify, rename) is {@link AtomicCommit}'s job.
 */
public final class ArtifactWriter {
  private ArtifactWriter() {}

  /**
   * Entries of at most this many bytes go into the blob ({@value Manifest#BLOB_KEY}) instead of one
   * safetensors entry each: a safetensors header entry costs about 80 bytes and a digest 32, which
   * is more than a scalar, a shape constant or a bias itself.
   */
  public static final long BLOB_ENTRY_LIMIT = 16 << 10;

  /**
   * Writes a format 3 artifact to {@code file} (overwriting it) for tests and tools that have no
   * source digest: the provenance names {@code source} and this nnzip, with an empty digest.
   */
  public static void write(FileSystem fs, Path file, Manifest manifest, String recipe, String source,
      Map<String, EntryData> data) throws IOException {
    write(fs, file, manifest, new Provenance(Version.version(), Version.commit(), source, 0, "", recipe), data);
  }

  /**
   * Writes the artifact to {@code file} (overwriting it) in format {@value
   * Manifest#COMPACT_FORMAT_VERSION}: the packed header (with the graph deflated inside it), the blob
   * of small entries, then every larger entry. Entries are streamed; only the header and graph are in
   * memory.
   *
   * @param manifest the manifest; entry sizes must match the data given. Its format version and
   *     graph key are replaced by format 3's
   * @param provenance where the artifact comes from, with the resolved recipe
   * @param data bytes of every entry key of the manifest, and the ONNX graph without weights (not
   *     deflated) under the manifest's graph key if it has one
   */
  public static void write(FileSystem fs, Path file, Manifest manifest, Provenance provenance,
      Map<String, EntryData> data) throws IOException {
    write(fs, file, manifest, provenance, data, BLOB_ENTRY_LIMIT);
  }

  /** As {@link #write(FileSystem, Path, Manifest, Provenance, Map)}, with another blob threshold (tests). */
  static void write(FileSystem fs, Path file, Manifest manifest, Provenance provenance,
      Map<String, EntryData> data, long blobEntryLimit) throws IOException {
    byte[] graph = null;
    if (manifest.graphKey() != null) {
      EntryData g = data.get(manifest.graphKey());
      if (!(g instanceof EntryData.InMemory m)) {
        throw new IllegalStateException("no graph bytes for '" + manifest.graphKey() + "'");
      }
      graph = m.bytes();
    }
    Manifest out = new Manifest(Manifest.COMPACT_FORMAT_VERSION, manifest.sourceFormat(), manifest.sourceMetadata(),
        graph == null ? null : Manifest.ONNX_GRAPH_IN_HEADER_KEY, manifest.tensors(), manifest.shared());
    List<StoredEntry> members = new ArrayList<>();
    List<TensorSpec> large = new ArrayList<>();
    Map<String, Long> offsets = new LinkedHashMap<>();
    long blobBytes = 0;
    for (TensorRecord t : owners(out)) {
      for (StoredEntry e : t == null ? out.shared() : t.entries()) {
        if (e.bytes() <= blobEntryLimit) {
          offsets.put(e.key(), blobBytes);
          blobBytes = Math.addExact(blobBytes, e.bytes());
          members.add(e);
        } else {
          large.add(entrySpec(t, e));
        }
      }
    }
    byte[] blobSha = blobBytes == 0 ? null : blobDigest(fs, members, data);
    CompactLayout layout = new CompactLayout(blobBytes, blobSha, offsets, null, graph);
    byte[] header = CompactHeader.pack(out, provenance, layout);
    List<TensorSpec> specs = new ArrayList<>();
    specs.add(new TensorSpec(Manifest.PACKED_HEADER_KEY, DType.U8, new long[] {header.length}));
    if (blobBytes > 0) {
      specs.add(new TensorSpec(Manifest.BLOB_KEY, DType.U8, new long[] {blobBytes}));
    }
    specs.addAll(large);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(Manifest.FORMAT_KEY, Integer.toString(Manifest.COMPACT_FORMAT_VERSION));
    meta.put(Manifest.HEADER_DIGEST_KEY, Digests.hex(Digests.sha256(header)));
    try (OutputStream os = fs.create(file, true);
        SafetensorsWriter writer = new SafetensorsWriter(os, specs, meta)) {
      writer.beginTensor(Manifest.PACKED_HEADER_KEY);
      writer.write(header, 0, header.length);
      if (blobBytes > 0) {
        writer.beginTensor(Manifest.BLOB_KEY);
        for (StoredEntry e : members) {
          copy(fs, dataOf(data, e.key()), writer.tensorStream());
        }
      }
      for (TensorSpec spec : large) {
        writer.beginTensor(spec.name());
        copy(fs, dataOf(data, spec.name()), writer.tensorStream());
      }
      writer.finish();
    }
  }

  /** Null (the shared entries' owner) followed by every tensor record. */
  private static List<TensorRecord> owners(Manifest m) {
    List<TensorRecord> owners = new ArrayList<>();
    owners.add(null);
    owners.addAll(m.tensors());
    return owners;
  }

  private static EntryData dataOf(Map<String, EntryData> data, String key) {
    EntryData d = data.get(key);
    if (d == null) {
      throw new IllegalStateException("no data for artifact entry '" + key + "'");
    }
    return d;
  }

  /** SHA-256 of the blob's bytes: a first pass over its members, which are small by construction. */
  private static byte[] blobDigest(FileSystem fs, List<StoredEntry> members, Map<String, EntryData> data)
      throws IOException {
    MessageDigest d = Digests.sha256();
    try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), d)) {
      for (StoredEntry e : members) {
        copy(fs, dataOf(data, e.key()), sink);
      }
    }
    return d.digest();
  }

  /** Deflated as every format-3 deflated entry is (the graph, the header entry): best compression. */
  public static byte[] deflate(byte[] bytes) {
    return PackedHeader.deflate(bytes);
  }

  /**
   * Writes a changed copy of an artifact: the entries in {@code data}, every other entry of {@code
   * next} copied from {@code old}'s file as it is, and the ONNX graph. The provenance stays
   * {@code old}'s, with {@code recipe} as its recipe.
   */
  public static void rewrite(Artifact old, FileSystem fs, Path file, Manifest next, String recipe, String source,
      Map<String, EntryData> data) throws IOException {
    Map<String, EntryData> all = new java.util.HashMap<>(data);
    for (StoredEntry e : next.allEntries()) {
      all.computeIfAbsent(e.key(), key -> new EntryData.SourceRange(old.entry(key)));
    }
    if (next.graphKey() != null) {
      all.put(next.graphKey(), new EntryData.InMemory(old.graph()));
    }
    Provenance p = old.provenance();
    Provenance kept = p == null
        ? new Provenance(Version.version(), Version.commit(), source, 0, "", recipe)
        : new Provenance(p.nnzipVersion(), p.gitCommit(), p.sourceUri(), p.sourceBytes(), p.sourceSha256(), recipe);
    write(fs, file, next, kept, all);
  }

  /** The safetensors spec of a stored entry ({@code t} null for shared parameters). */
  static TensorSpec entrySpec(TensorRecord t, StoredEntry e) {
    return StoredEntry.spec(t, e);
  }


  private static void copy(FileSystem fs, EntryData d, OutputStream sink) throws IOException {
    if (d instanceof EntryData.InMemory m) {
      sink.write(m.bytes(), 0, m.bytes().length);
    } else if (d instanceof EntryData.SourceRange r) {
      SafetensorsReader.copyTensor(fs, r.tensor(), sink);
    } else if (d instanceof EntryData.Parts p) {
      for (String part : p.files()) {
        Path path = new Path(part);
        try (InputStream in = path.getFileSystem(fs.getConf()).open(path)) {
          in.transferTo(sink);
        }
      }
    }
  }

  /** Little-endian bytes of a float array (codec parameters). */
  public static byte[] floatBytes(float[] values) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * Float.BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  /** Little-endian F16 bytes of a float array (values must already be F16-representable to be exact). */
  public static byte[] halfBytes(float[] values) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    nnzip.tensor.FloatCodec.encode(values, 0, values.length, DType.F16, b);
    return b.array();
  }

  /** UTF-8 bytes, for text entries. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
