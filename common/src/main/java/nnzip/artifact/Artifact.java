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
import java.security.MessageDigest;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import nnzip.io.HadoopFile;
import nnzip.io.ReadableFile;
import nnzip.io.safetensors.SafetensorsFile;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An opened artifact: its safetensors header and manifest, checked against each other on open
 * (every entry present with the size the manifest claims). {@link #verify} checks every stored
 * byte against the manifest's SHA-256 chunks. Reads go through a {@link ReadableFile}, so the
 * device dialer opens artifacts with this class and no Hadoop.
 */
public final class Artifact {
  private final ReadableFile data;
  private final String file;
  private final SafetensorsHeader header;
  private final Manifest manifest;
  private final String recipe;
  private final Map<String, StoredTensor> entries = new LinkedHashMap<>();

  private final Provenance provenance;
  private final CompactLayout layout;

  private Artifact(ReadableFile source, SafetensorsHeader header, Manifest manifest, String recipe,
      Map<String, StoredTensor> entries, Provenance provenance, CompactLayout layout) {
    this.data = source;
    this.file = source.toString();
    this.header = header;
    this.manifest = manifest;
    this.recipe = recipe;
    this.entries.putAll(entries);
    this.provenance = provenance;
    this.layout = layout;
  }

  /**
   * Opens and cross-checks an artifact. For format 3 the packed header's SHA-256 and the blob's
   * are checked here, so every blob member read later is covered.
   *
   * @throws InvalidInputException if the file is no valid safetensors, has no manifest, or the
   *     manifest disagrees with the header
   */
  public static Artifact open(FileSystem fs, Path file) throws IOException {
    return open(new HadoopFile(fs, file));
  }

  /**
   * Opens and cross-checks the artifact {@code file}.
   *
   * @throws InvalidInputException as {@link #open(FileSystem, Path)}
   */
  public static Artifact open(ReadableFile file) throws IOException {
    SafetensorsHeader header = SafetensorsFile.readHeader(file, SafetensorsHeader.MAX_HEADER_BYTES);
    Map<String, StoredTensor> entries = new LinkedHashMap<>();
    for (StoredTensor t : header.tensors(file.toString())) {
      entries.put(t.spec().name(), t);
    }
    String where = file.toString();
    if (Integer.toString(Manifest.COMPACT_FORMAT_VERSION).equals(header.metadata().get(Manifest.FORMAT_KEY))) {
      return openCompact(file, header, entries);
    }
    String json = header.metadata().get(Manifest.METADATA_KEY);
    String recipe = header.metadata().getOrDefault(Manifest.RECIPE_KEY, "");
    StoredTensor packed = entries.get(Manifest.PACKED_HEADER_KEY);
    if (json == null && packed != null) {
      PackedHeader.Contents c = PackedHeader.unpack(readBounded(file, packed, where, "packed manifest"), where);
      json = c.manifestJson();
      recipe = c.recipe();
    }
    if (json == null) {
      throw new InvalidInputException(file + ": not an nnzip artifact (no " + Manifest.METADATA_KEY + " in its metadata)");
    }
    Artifact a = new Artifact(file, header, ManifestReader.read(json, where), recipe, entries, null,
        CompactLayout.NONE);
    a.crossCheck();
    ArtifactBounds.check(a);
    return a;
  }

  private static Artifact openCompact(ReadableFile file, SafetensorsHeader header,
      Map<String, StoredTensor> entries) throws IOException {
    String where = file.toString();
    StoredTensor packed = entries.get(Manifest.PACKED_HEADER_KEY);
    if (packed == null) {
      throw new InvalidInputException(where + ": format 3 artifact without its header entry " + Manifest.PACKED_HEADER_KEY);
    }
    byte[] headerBytes = readBounded(file, packed, where, "packed header");
    String expected = header.metadata().get(Manifest.HEADER_DIGEST_KEY);
    if (expected == null || !expected.equals(Digests.hex(Digests.sha256(headerBytes)))) {
      throw new InvalidInputException(where + ": the packed header is corrupt (SHA-256 mismatch)");
    }
    CompactContents c = CompactHeaderReader.unpack(headerBytes, where);
    CompactLayout layout = c.layout();
    if (layout.blobBytes() > 0) {
      StoredTensor blob = entries.get(Manifest.BLOB_KEY);
      if (blob == null || blob.spec().byteSize() != layout.blobBytes()) {
        throw new InvalidInputException(where + ": the blob entry has " + (blob == null ? "no" : blob.spec().byteSize())
            + " bytes but the header says " + layout.blobBytes());
      }
      try (ReadableFile.Positioned in = file.open()) {
        checkDigest(in, blob.offset(), blob.spec().byteSize(), layout.blobSha256(), where, "the blob");
      }
      // Members tile the blob in manifest order, as the writer laid them out: a size that lies
      // shows as a gap or an overlap with the next member.
      long end = 0;
      String previous = null;
      for (TensorRecord t : ownersOf(c.manifest())) {
        for (StoredEntry e : t == null ? c.manifest().shared() : t.entries()) {
          Long at = layout.blobOffsets().get(e.key());
          if (at == null) {
            continue;
          }
          if (at != end) {
            throw new InvalidInputException(where + ": blob entry '" + e.key() + "' starts at byte " + at
                + " but " + (previous == null ? "the blob starts at 0" : "'" + previous + "' ends at byte " + end));
          }
          if (e.bytes() > layout.blobBytes() - at) {
            throw new InvalidInputException(where + ": entry '" + e.key() + "' at byte " + at + " of the blob runs "
                + e.bytes() + " bytes past its end (" + layout.blobBytes() + ")");
          }
          if (entries.containsKey(e.key())) {
            throw new InvalidInputException(where + ": entry '" + e.key() + "' is both in the blob and on its own");
          }
          entries.put(e.key(), new StoredTensor(StoredEntry.spec(t, e), blob.file(), blob.offset() + at));
          end = at + e.bytes();
          previous = e.key();
        }
      }
      if (end != layout.blobBytes()) {
        throw new InvalidInputException(where + ": the blob has " + layout.blobBytes() + " bytes but its entries end at "
            + end + (previous == null ? "" : " ('" + previous + "')"));
      }
    }
    Artifact a = new Artifact(file, header, c.manifest(), c.provenance().recipe(), entries, c.provenance(), layout);
    a.crossCheck();
    ArtifactBounds.check(a);
    return a;
  }

  /** Null (owner of the shared entries) and every tensor record. */
  private static List<TensorRecord> ownersOf(Manifest m) {
    List<TensorRecord> owners = new java.util.ArrayList<>();
    owners.add(null);
    owners.addAll(m.tensors());
    return owners;
  }

  /** Reads a small entry whole, refusing one past the inflate cap before allocating. */
  private static byte[] readBounded(ReadableFile file, StoredTensor t, String where, String what) throws IOException {
    if (t.spec().byteSize() > PackedHeader.MAX_INFLATED) {
      throw new InvalidInputException(where + ": the " + what + " entry is implausibly large ("
          + t.spec().byteSize() + " bytes)");
    }
    return SafetensorsFile.readTensor(file, t).array();
  }

  /** Reads {@code bytes} from {@code pos} and checks them against {@code sha256}. */
  private static void checkDigest(ReadableFile.Positioned in, long pos, long bytes, byte[] sha256, String where, String what)
      throws IOException {
    MessageDigest d = Digests.sha256();
    byte[] buf = new byte[(int) Math.min(1 << 20, Math.max(1, bytes))];
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(buf.length, bytes - done);
      try {
        in.readFully(pos + done, buf, 0, n);
      } catch (ReadableFile.Corrupt ce) {
        throw new InvalidInputException(where + ": " + what + " is corrupt (" + ce.getMessage() + ")", ce);
      }
      d.update(buf, 0, n);
      done += n;
    }
    if (!java.util.Arrays.equals(d.digest(), sha256)) {
      throw new InvalidInputException(where + ": " + what + " is corrupt (SHA-256 mismatch)");
    }
  }

  private void crossCheck() {
    ArtifactBounds.checkShared(manifest.shared());
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
    if (manifest.graphKey() != null && !manifest.graphKey().equals(Manifest.ONNX_GRAPH_IN_HEADER_KEY)) {
      entry(manifest.graphKey());
    }
    if (manifest.graphKey() != null && manifest.graphKey().equals(Manifest.ONNX_GRAPH_IN_HEADER_KEY)
        && layout.inlineGraph() == null) {
      throw new InvalidInputException(file + ": the manifest says the graph is in the header, which has none");
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
    if (manifest.graphKey().equals(Manifest.ONNX_GRAPH_IN_HEADER_KEY)) {
      return layout.inlineGraph().clone();
    }
    byte[] stored = readBounded(data, entry(manifest.graphKey()), file, "ONNX graph");
    if (layout.graphSha256() != null && !java.util.Arrays.equals(Digests.sha256(stored), layout.graphSha256())) {
      throw new InvalidInputException(file + ": the ONNX graph is corrupt (SHA-256 mismatch)");
    }
    return manifest.graphKey().equals(Manifest.ONNX_GRAPH_DEFLATED_KEY)
        ? PackedHeader.inflate(stored, file.toString(), "deflated ONNX graph") : stored;
  }

  /** The resolved recipe the artifact was made with. */
  public String recipe() {
    return recipe;
  }

  /** Where the model came from: the absolute source URI (format 3), or as the user named it. */
  public String source() {
    return provenance != null ? provenance.sourceUri() : header.metadata().getOrDefault(Manifest.SOURCE_KEY, "");
  }

  /** Which nnzip made the artifact from which source bytes, or null for formats 1 and 2. */
  public Provenance provenance() {
    return provenance;
  }

  public SafetensorsHeader header() {
    return header;
  }

  /** The file's name, as errors give it (a qualified path for Hadoop files). */
  public String file() {
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
    graph();
    try (ReadableFile.Positioned in = data.open()) {
      if (layout.blobBytes() > 0) {
        StoredTensor blob = entry(Manifest.BLOB_KEY);
        checkDigest(in, blob.offset(), blob.spec().byteSize(), layout.blobSha256(), file.toString(), "the blob");
      }
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
  void copyVerified(ReadableFile.Positioned in, long pos, List<Chunk> chunks, OutputStream out, String what)
      throws IOException {
    byte[] buf = new byte[1 << 20];
    long start = pos;
    for (Chunk c : chunks) {
      MessageDigest d = Digests.sha256();
      for (long done = 0; done < c.bytes(); ) {
        int n = (int) Math.min(buf.length, c.bytes() - done);
        try {
          in.readFully(pos + done, buf, 0, n);
        } catch (ReadableFile.Corrupt ce) {
          // A checksummed file system (HDFS) saw the damage first.
          throw new InvalidInputException(file + ": " + what + " is corrupt (" + ce.getMessage() + ")", ce);
        }
        d.update(buf, 0, n);
        if (out != null) {
          out.write(buf, 0, n);
        }
        done += n;
      }
      // A null digest: a blob member, covered by the blob's digest checked on open.
      if (c.sha256() != null && !Digests.hex(d.digest()).equals(c.sha256())) {
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
        ByteBuffer b = SafetensorsFile.readTensor(data, entry(e.key()));
        DType dtype = e.isHalfParameter() ? DType.F16 : DType.F32;
        float[] v = new float[(int) (e.bytes() / dtype.byteSize())];
        nnzip.tensor.FloatCodec.decode(b, dtype, v, 0, v.length);
        params.put(e.parameterName(), v);
      }
    }
    return params;
  }

  /**
   * The coder of a coded tensor, rebuilt from its stored parameters by its codec
   * ({@link nnzip.codec.CodecKind#restore}).
   *
   * @throws InvalidInputException naming the file if a parameter is missing or inconsistent
   */
  public nnzip.codec.TensorCoder coder(TensorRecord t) throws IOException {
    Map<String, float[]> params = parameters(t);
    try {
      return t.codec().restore(t.spec(), t.bits(), layoutOf(t), params);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(file + ": " + e.getMessage(), e);
    } catch (ArithmeticException | IllegalArgumentException e) {
      // A shape or parameter count no codec could have written (a lying or damaged manifest).
      throw new InvalidInputException(file + ": tensor '" + t.spec().name() + "' of shape "
          + java.util.Arrays.toString(t.spec().shape()) + " cannot be decoded: " + e.getMessage(), e);
    }
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

  /** Format 3's blob layout and digests ({@link CompactLayout#NONE} for older formats). */
  CompactLayout layout() {
    return layout;
  }

  /** The file, for positioned reads. */
  public ReadableFile readableFile() {
    return data;
  }
}
