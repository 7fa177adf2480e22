package nnzip.artifact;

import nnzip.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An opened artifact: its safetensors header and manifest, checked against each other on open
 * (every entry present with the size the manifest claims). {@link #verify} checks every stored
 * byte against the manifest's SHA-256 chunks.
 */
public final class Artifact {
  private final FileSystem fs;
  private final Path file;
  private final SafetensorsHeader header;
  private final Manifest manifest;
  private final String recipe;
  private final Map<String, StoredTensor> entries = new LinkedHashMap<>();

  private Artifact(FileSystem fs, Path file, SafetensorsHeader header, Manifest manifest, String recipe,
      Map<String, StoredTensor> entries) {
    this.fs = fs;
    this.file = file;
    this.header = header;
    this.manifest = manifest;
    this.recipe = recipe;
    this.entries.putAll(entries);
  }

  /**
   * Opens and cross-checks an artifact.
   *
   * @throws InvalidInputException if the file is no valid safetensors, has no manifest, or the
   *     manifest disagrees with the header
   */
  public static Artifact open(FileSystem fs, Path file) throws IOException {
    SafetensorsHeader header = SafetensorsReader.readHeader(fs, file);
    Map<String, StoredTensor> entries = new LinkedHashMap<>();
    for (StoredTensor t : header.tensors(file.toString())) {
      entries.put(t.spec().name(), t);
    }
    String json = header.metadata().get(Manifest.METADATA_KEY);
    String recipe = header.metadata().getOrDefault(Manifest.RECIPE_KEY, "");
    StoredTensor packed = entries.get(Manifest.PACKED_HEADER_KEY);
    if (json == null && packed != null) {
      if (packed.spec().byteSize() > PackedHeader.MAX_INFLATED) {
        throw new InvalidInputException(file + ": the packed manifest entry is implausibly large");
      }
      PackedHeader.Contents c = PackedHeader.unpack(SafetensorsReader.readTensor(fs, packed).array(), file.toString());
      json = c.manifestJson();
      recipe = c.recipe();
    }
    if (json == null) {
      throw new InvalidInputException(file + ": not an nnzip artifact (no " + Manifest.METADATA_KEY + " in its metadata)");
    }
    Artifact a = new Artifact(fs, file, header, ManifestJson.read(json, file.toString()), recipe, entries);
    a.crossCheck();
    return a;
  }

  private void crossCheck() {
    for (StoredEntry e : manifest.shared()) {
      if (entry(e.key()).spec().byteSize() != e.bytes()) {
        throw new InvalidInputException(file + ": shared entry '" + e.key() + "' has "
            + entry(e.key()).spec().byteSize() + " bytes but the manifest says " + e.bytes());
      }
    }
    for (TensorRecord t : manifest.tensors()) {
      for (StoredEntry e : t.entries()) {
        StoredTensor s = entry(e.key());
        if (s.spec().byteSize() != e.bytes()) {
          throw new InvalidInputException(file + ": entry '" + e.key() + "' has " + s.spec().byteSize()
              + " bytes but the manifest says " + e.bytes());
        }
        if (e.role().equals(StoredEntry.DATA) && e.bytes() != t.spec().byteSize()) {
          throw new InvalidInputException(file + ": tensor '" + t.spec().name() + "' is " + t.spec()
              + " (" + t.spec().byteSize() + " bytes) but its stored data has " + e.bytes());
        }
      }
    }
    if (manifest.graphKey() != null) {
      entry(manifest.graphKey());
    }
  }

  public Manifest manifest() {
    return manifest;
  }

  /**
   * The ONNX graph without weights (inflated if stored deflated), or null when the source was not
   * ONNX.
   *
   * @throws InvalidInputException if a deflated graph is damaged
   */
  public byte[] graph() throws IOException {
    if (manifest.graphKey() == null) {
      return null;
    }
    byte[] stored = SafetensorsReader.readTensor(fs, entry(manifest.graphKey())).array();
    return manifest.graphKey().equals(Manifest.ONNX_GRAPH_DEFLATED_KEY)
        ? PackedHeader.inflate(stored, file.toString(), "deflated ONNX graph") : stored;
  }

  /** The resolved recipe the artifact was made with. */
  public String recipe() {
    return recipe;
  }

  /** Where the model came from, as the user named it. */
  public String source() {
    return header.metadata().getOrDefault(Manifest.SOURCE_KEY, "");
  }

  public SafetensorsHeader header() {
    return header;
  }

  public Path file() {
    return file;
  }

  /** File size in bytes. */
  public long fileSize() {
    return header.fileSize();
  }

  /** Where a stored entry lies. */
  public StoredTensor entry(String key) {
    StoredTensor s = entries.get(key);
    if (s == null) {
      throw new InvalidInputException(file + ": the manifest names entry '" + key + "' but the file has none");
    }
    return s;
  }

  /**
   * Recomputes the SHA-256 of every stored chunk.
   *
   * @throws InvalidInputException naming the first entry whose bytes do not match
   */
  public void verify() throws IOException {
    try (FSDataInputStream in = fs.open(file)) {
      for (StoredEntry e : manifest.allEntries()) {
        copyVerified(in, entry(e.key()).offset(), e.chunks(), null, "entry '" + e.key() + "'");
      }
    }
  }

  /**
   * Reads consecutive chunks from {@code pos} on, checks each against its SHA-256, and copies the
   * bytes to {@code out} unless it is null.
   *
   * @param what the entry or tensor named in the error message
   * @throws InvalidInputException if a chunk's bytes do not match its digest
   */
  void copyVerified(FSDataInputStream in, long pos, List<Chunk> chunks, OutputStream out, String what)
      throws IOException {
    byte[] buf = new byte[1 << 20];
    long start = pos;
    for (Chunk c : chunks) {
      MessageDigest d = Digests.sha256();
      for (long done = 0; done < c.bytes(); ) {
        int n = (int) Math.min(buf.length, c.bytes() - done);
        try {
          in.readFully(pos + done, buf, 0, n);
        } catch (org.apache.hadoop.fs.ChecksumException ce) {
          // A checksummed file system (HDFS) saw the damage first.
          throw new InvalidInputException(file + ": " + what + " is corrupt (" + ce.getMessage() + ")", ce);
        }
        d.update(buf, 0, n);
        if (out != null) {
          out.write(buf, 0, n);
        }
        done += n;
      }
      if (!Digests.hex(d.digest()).equals(c.sha256())) {
        throw new InvalidInputException(file + ": " + what + " is corrupt (SHA-256 mismatch in the chunk at byte "
            + (pos - start) + ")");
      }
      pos += c.bytes();
    }
  }


  /** A coded tensor's stored parameters by name (its own, or the shared ones for global scope). */
  public Map<String, float[]> parameters(TensorRecord t) throws IOException {
    Map<String, float[]> params = new LinkedHashMap<>();
    List<StoredEntry> paramEntries = Manifest.GLOBAL_SCOPE.equals(t.scope())
        ? new java.util.ArrayList<>(manifest.shared()) : new java.util.ArrayList<>();
    paramEntries.addAll(t.entries());
    for (StoredEntry e : paramEntries) {
      if (e.parameterName() != null) {
        ByteBuffer b = SafetensorsReader.readTensor(fs, entry(e.key()));
        DType dtype = e.isHalfParameter() ? DType.F16 : DType.F32;
        float[] v = new float[(int) (e.bytes() / dtype.byteSize())];
        nnzip.tensor.FloatCodec.decode(b, dtype, v, 0, v.length);
        params.put(e.parameterName(), v);
      }
    }
    return params;
  }

  /** The quantizer of a coded tensor, rebuilt from its stored parameters. */
  public ScalarCodec.Quantizer quantizer(TensorRecord t) throws IOException {
    ScalarCodec codec;
    try {
      codec = CodecKind.parse(t.codec()).create(t.bits());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(file + ": tensor '" + t.spec().name() + "': " + e.getMessage());
    }
    Map<String, float[]> params = parameters(t);
    return codec.restore(layoutOf(t), params);
  }

  /** The layout a tensor was coded with. */
  public static TensorLayout layoutOf(TensorRecord t) {
    TensorSpec spec = t.spec();
    Scope scope;
    try {
      scope = t.scope() == null ? Scope.TENSOR : Scope.valueOf(t.scope().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("tensor '" + spec.name() + "': unknown scope '" + t.scope() + "' in the manifest");
    }
    if (t.channelAxis() < 0 || (t.channelAxis() > 0 && t.channelAxis() >= spec.shape().length)) {
      throw new InvalidInputException("tensor '" + spec.name() + "': channel axis " + t.channelAxis()
          + " is outside its shape");
    }
    TensorLayout layout;
    try {
      layout = scope.layoutOf(spec, t.channelAxis(), t.channels());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("tensor '" + spec.name() + "': " + e.getMessage());
    }
    if (layout.channels() != t.channels()) {
      throw new InvalidInputException("tensor '" + spec.name() + "': manifest says " + t.channels()
          + " channels but its shape gives " + layout.channels());
    }
    return layout;
  }

  public FileSystem fileSystem() {
    return fs;
  }
}
