package nnzip.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
   * Writes the artifact to {@code file} (overwriting it).
   *
   * @param manifest the manifest; entry sizes must match the data given
   * @param recipe resolved recipe text, stored as {@value Manifest#RECIPE_KEY}
   * @param source the source location, stored as {@value Manifest#SOURCE_KEY}
   * @param data bytes of every entry key of the manifest (and of the graph key, if any)
   */
  public static void write(FileSystem fs, Path file, Manifest manifest, String recipe, String source,
      Map<String, EntryData> data) throws IOException {
    List<TensorSpec> specs = new ArrayList<>();
    for (StoredEntry e : manifest.shared()) {
      specs.add(entrySpec(null, e));
    }
    for (TensorRecord t : manifest.tensors()) {
      for (StoredEntry e : t.entries()) {
        specs.add(entrySpec(t, e));
      }
    }
    if (manifest.graphKey() != null) {
      byte[] graph = ((EntryData.InMemory) data.get(manifest.graphKey())).bytes();
      specs.add(new TensorSpec(manifest.graphKey(), DType.U8, new long[] {graph.length}));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(Manifest.FORMAT_KEY, Integer.toString(manifest.formatVersion()));
    meta.put(Manifest.SOURCE_KEY, source);
    Map<String, EntryData> all = data;
    if (manifest.formatVersion() >= Manifest.ENTROPY_FORMAT_VERSION) {
      byte[] packed = PackedHeader.pack(ManifestJson.write(manifest), recipe);
      specs.add(new TensorSpec(Manifest.PACKED_HEADER_KEY, DType.U8, new long[] {packed.length}));
      all = new java.util.HashMap<>(data);
      all.put(Manifest.PACKED_HEADER_KEY, new EntryData.InMemory(packed));
    } else {
      meta.put(Manifest.RECIPE_KEY, recipe);
      meta.put(Manifest.METADATA_KEY, ManifestJson.write(manifest));
    }
    try (OutputStream out = fs.create(file, true);
        SafetensorsWriter writer = new SafetensorsWriter(out, specs, meta)) {
      for (TensorSpec spec : specs) {
        EntryData d = all.get(spec.name());
        if (d == null) {
          throw new IllegalStateException("no data for artifact entry '" + spec.name() + "'");
        }
        writer.beginTensor(spec.name());
        copy(fs, d, writer);
      }
      writer.finish();
    }
  }

  /**
   * Writes a changed copy of an artifact: the entries in {@code data}, every other entry of {@code
   * next} copied from {@code old}'s file as it is, and the ONNX graph under {@code next}'s graph key
   * (deflated when the key says so).
   */
  public static void rewrite(Artifact old, FileSystem fs, Path file, Manifest next, String recipe, String source,
      Map<String, EntryData> data) throws IOException {
    Map<String, EntryData> all = new java.util.HashMap<>(data);
    for (StoredEntry e : next.allEntries()) {
      all.computeIfAbsent(e.key(), key -> new EntryData.SourceRange(old.entry(key)));
    }
    if (next.graphKey() != null) {
      byte[] graph = old.graph();
      all.put(next.graphKey(), new EntryData.InMemory(
          next.graphKey().equals(Manifest.ONNX_GRAPH_DEFLATED_KEY) ? PackedHeader.deflate(graph) : graph));
    }
    write(fs, file, next, recipe, source, all);
  }

  /** The safetensors spec of a stored entry ({@code t} null for shared parameters). */
  static TensorSpec entrySpec(TensorRecord t, StoredEntry e) {
    if (e.role().equals(StoredEntry.DATA)) {
      return new TensorSpec(e.key(), t.spec().dtype(), t.spec().shape());
    }
    if (e.isHalfParameter()) {
      return new TensorSpec(e.key(), DType.F16, new long[] {e.bytes() / 2});
    }
    if (e.parameterName() != null) {
      return new TensorSpec(e.key(), DType.F32, new long[] {e.bytes() / Float.BYTES});
    }
    return new TensorSpec(e.key(), DType.U8, new long[] {e.bytes()});
  }

  private static void copy(FileSystem fs, EntryData d, SafetensorsWriter writer) throws IOException {
    OutputStream sink = writer.tensorStream();
    if (d instanceof EntryData.InMemory m) {
      writer.write(m.bytes(), 0, m.bytes().length);
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
