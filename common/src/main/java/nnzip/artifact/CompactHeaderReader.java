package nnzip.artifact;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.io.json.JsonReader;
import nnzip.io.json.JsonValue;
import nnzip.tensor.TensorSpec;

/**
 * Reads format 3's header entry ({@link CompactHeader} has the layout). Apart from the writer, and
 * with nnzip's own JSON reader, so opening an artifact needs no Jackson (the device dialer).
 */
final class CompactHeaderReader {
  private CompactHeaderReader() {}

  /**
   * Unpacks a packed header.
   *
   * @param where file name for error messages
   * @throws InvalidInputException if the entry is truncated, corrupt, inflates past the cap, or its
   *     parts disagree (a digest table of the wrong length, an incomplete manifest)
   */
  static CompactContents unpack(byte[] packed, String where) {
    byte[] raw = PackedHeader.inflate(packed, where, "packed header");
    String json;
    String recipe;
    byte[] digestTable;
    byte[] rest;
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(raw))) {
      json = new String(readSized(in, raw.length, where, "manifest"), StandardCharsets.UTF_8);
      recipe = new String(readSized(in, raw.length, where, "recipe"), StandardCharsets.UTF_8);
      int count = in.readInt();
      if (count < 0 || (long) count * Digests.SHA256_BYTES > in.available()) {
        throw new InvalidInputException(where + ": the packed header's digest table says " + count
            + " digests but holds " + in.available() + " bytes");
      }
      digestTable = in.readNBytes(count * Digests.SHA256_BYTES);
      rest = in.readAllBytes();
    } catch (IOException e) {
      throw new InvalidInputException(where + ": the packed header is truncated");
    }
    JsonValue root;
    try {
      root = JsonReader.parse(json);
    } catch (JsonReader.Malformed e) {
      throw new InvalidInputException(where + ": the packed manifest is not valid JSON: " + e.getMessage());
    }
    Reader r = new Reader(root, digestTable, where);
    try {
      boolean inline = root.has("graph") && Manifest.ONNX_GRAPH_IN_HEADER_KEY.equals(root.get("graph").asText());
      return r.contents(recipe, inlineGraph(rest, inline, where));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new InvalidInputException(where + ": bad manifest: " + e.getMessage());
    }
  }

  /** The graph after the digest table: present exactly when the manifest says it is, and all that follows. */
  private static byte[] inlineGraph(byte[] rest, boolean expected, String where) {
    if (!expected) {
      if (rest.length > 0) {
        throw new InvalidInputException(where + ": the packed header has " + rest.length
            + " bytes after its digest table");
      }
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(rest))) {
      int n = in.readInt();
      if (n < 0 || n > in.available()) {
        throw new InvalidInputException(where + ": the packed header's ONNX graph is truncated (it claims " + n
            + " bytes, " + in.available() + " follow)");
      }
      byte[] graph = in.readNBytes(n);
      if (in.available() > 0) {
        throw new InvalidInputException(where + ": the packed header has " + in.available()
            + " bytes after its ONNX graph");
      }
      return graph;
    } catch (IOException e) {
      throw new InvalidInputException(where + ": the packed header's ONNX graph is truncated");
    }
  }

  private static byte[] readSized(DataInputStream in, int total, String where, String what) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new InvalidInputException(where + ": the packed header's " + what + " claims " + n + " bytes of "
          + total);
    }
    return in.readNBytes(n);
  }

  /** Walks the JSON in the order the writer did, handing out digests from the table. */
  private static final class Reader {
    private final JsonValue root;
    private final byte[] digests;
    private final String where;
    private final boolean tiled;
    private int next;
    /** Offset of the next blob member when members are tiled. */
    private long nextAt;

    Reader(JsonValue root, byte[] digests, String where) {
      this.root = root;
      this.digests = digests;
      this.where = where;
      this.tiled = root.path("tiled").asBoolean(false);
    }

    private byte[] nextDigest() {
      if ((next + 1) * Digests.SHA256_BYTES > digests.length) {
        throw new InvalidInputException(where + ": the packed header has fewer digests than stored chunks");
      }
      byte[] d = java.util.Arrays.copyOfRange(digests, next * Digests.SHA256_BYTES, (next + 1) * Digests.SHA256_BYTES);
      next++;
      return d;
    }

    CompactContents contents(String recipe, byte[] inlineGraph) {
      int version = required(root, "format").asInt();
      if (version != Manifest.COMPACT_FORMAT_VERSION) {
        throw new InvalidInputException(where + ": packed header of format " + version + " in a format "
            + Manifest.COMPACT_FORMAT_VERSION + " artifact");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<String, JsonValue> e : required(root, "sourceMetadata").properties()) {
        meta.put(e.getKey(), e.getValue().asText());
      }
      JsonValue p = required(root, "provenance");
      // Earlier format-3 writers put the source's SHA-256 in the JSON as hex; now it opens the digest table.
      String sourceSha = p.has("sourceSha256") ? p.get("sourceSha256").asText() : Digests.hex(nextDigest());
      Provenance provenance = new Provenance(required(p, "nnzipVersion").asText(), required(p, "gitCommit").asText(),
          required(p, "sourceUri").asText(), required(p, "sourceBytes").asLong(), sourceSha, recipe);
      String graphKey = root.has("graph") ? root.get("graph").asText() : null;
      byte[] graphSha = graphKey == null || inlineGraph != null ? null : nextDigest();
      long blobBytes = root.has("blob") ? root.get("blob").asLong() : 0;
      if (blobBytes < 0) {
        throw new InvalidInputException(where + ": negative blob size " + blobBytes);
      }
      byte[] blobSha = blobBytes > 0 ? nextDigest() : null;
      Map<String, Long> offsets = new LinkedHashMap<>();
      List<StoredEntry> shared = root.has("shared") ? entries(root.get("shared"), Manifest.SHARED_PREFIX, offsets)
          : List.of();
      List<TensorRecord> tensors = new ArrayList<>();
      for (JsonValue t : required(root, "tensors")) {
        tensors.add(tensor(t, offsets));
      }
      if (next * Digests.SHA256_BYTES != digests.length) {
        throw new InvalidInputException(where + ": the packed header has " + (digests.length / Digests.SHA256_BYTES)
            + " digests for " + next + " stored chunks");
      }
      Manifest m = new Manifest(version, required(root, "sourceFormat").asText(), meta, graphKey, tensors, shared);
      return new CompactContents(m, provenance, new CompactLayout(blobBytes, blobSha, offsets, graphSha, inlineGraph));
    }

    private TensorRecord tensor(JsonValue t, Map<String, Long> offsets) {
      // The writer leaves out what is most common: dtype F32, one channel (CompactHeader).
      TensorSpec spec = ManifestReader.readSpec(t, where, nnzip.tensor.DType.F32);
      CodecKind codec = CodecKind.parse(required(t, "codec").asText());
      List<StoredEntry> entries = entries(required(t, "entries"), spec.name() + ".", offsets);
      if (codec == CodecKind.PASSTHROUGH) {
        // The stored data is the original: its chunks (and digests) are the original's.
        List<Chunk> original = entries.isEmpty() ? List.of() : entries.get(0).chunks();
        return new TensorRecord(spec, codec, 0, null, 1, 0, original, 0, 0, entries);
      }
      JsonValue scope = t.get("scope");
      return new TensorRecord(spec, codec, required(t, "bits").asInt(), scope == null ? null : scope.asText(),
          t.has("channels") ? t.get("channels").asInt() : 1, t.has("axis") ? t.get("axis").asInt() : 0,
          List.of(new Chunk(spec.byteSize(), null)), required(t, "relativeMse").asDouble(),
          required(t, "maxAbsError").asDouble(), entries);
    }

    private List<StoredEntry> entries(JsonValue array, String prefix, Map<String, Long> offsets) {
      List<StoredEntry> entries = new ArrayList<>();
      for (JsonValue e : array) {
        String role = required(e, "role").asText();
        String key = e.has("key") ? e.get("key").asText() : CompactLayout.defaultKey(prefix, role);
        if (key == null) {
          throw new InvalidInputException(where + ": an entry of role '" + role + "' names no key");
        }
        boolean member = tiled ? !e.has("own") : e.has("at");
        if (member) {
          long at = tiled ? nextAt : e.get("at").asLong();
          if (at < 0 || offsets.put(key, at) != null) {
            throw new InvalidInputException(where + ": blob entry '" + key + "' has a bad or repeated offset");
          }
        }
        List<Chunk> chunks = new ArrayList<>();
        long total = 0;
        for (JsonValue c : required(e, "chunks")) {
          long bytes = c.asLong();
          if (bytes < 0 || !c.canConvertToLong()) {
            throw new InvalidInputException(where + ": entry '" + key + "' has a chunk of " + c.asText() + " bytes");
          }
          try {
            total = Math.addExact(total, bytes);
          } catch (ArithmeticException overflow) {
            throw new InvalidInputException(where + ": the chunk sizes of entry '" + key + "' overflow a long");
          }
          chunks.add(new Chunk(bytes, member ? null : Digests.hex(nextDigest())));
        }
        if (member && tiled) {
          nextAt = Math.addExact(nextAt, total); // total is overflow-checked above
        }
        entries.add(new StoredEntry(key, role, chunks));
      }
      return entries;
    }

    private JsonValue required(JsonValue node, String field) {
      return ManifestReader.required(node, field, where);
    }
  }
}
