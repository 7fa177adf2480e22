package nnzip.artifact;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.tensor.TensorSpec;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Format 3's header entry: the manifest (as compact JSON), the recipe, the provenance and every
 * SHA-256 digest as raw bytes, deflated together into one U8 entry. Measured on a small Paddle2ONNX
 * classifier, hex digests and one safetensors entry per scalar made the header a third of the
 * artifact; here a digest costs 32 bytes and only entries outside the blob carry one.
 *
 * <p>Inflated layout (big-endian ints): {@code int n, n bytes UTF-8 JSON; int r, r bytes UTF-8
 * recipe; int d, d × 32 bytes of digests}, then, when the manifest's graph key is {@link
 * Manifest#ONNX_GRAPH_IN_HEADER_KEY}, {@code int g, g bytes of the ONNX graph without weights}. The
 * digests are, in order: the source's (unless the provenance JSON spells it in hex, as the first
 * format-3 writers did), the deflated graph entry's (if the graph is an entry of its own, as earlier
 * format-3 writers stored it),
 * the blob's (if any), then one per chunk of every entry outside the blob, in {@link
 * Manifest#allEntries()} order. The JSON of an entry lists its role, its chunk sizes, and its key only
 * where that is not the one its role implies ({@link #defaultKey}). With {@code "tiled": true} the blob's
 * members lie end to end in that order and each entry outside the blob says {@code "own": true};
 * otherwise (the first format-3 writers) each blob member gives its offset in the blob ({@code at}).
 */
final class CompactHeader {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CompactHeader() {}

  /**
   * Where format 3 puts things beyond the logical manifest.
   *
   * @param blobBytes size of the blob entry, 0 when there is none
   * @param blobSha256 digest of the blob, null when there is none
   * @param blobOffsets offset inside the blob of each member entry, by key
   * @param graphSha256 digest of the deflated graph entry, null without one
   * @param inlineGraph the ONNX graph without weights carried in the header itself, null unless the
   *     graph key is {@link Manifest#ONNX_GRAPH_IN_HEADER_KEY}
   */
  record Layout(long blobBytes, byte[] blobSha256, Map<String, Long> blobOffsets, byte[] graphSha256,
      byte[] inlineGraph) {
    static final Layout NONE = new Layout(0, null, Map.of(), null, null);

    Layout {
      blobOffsets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobOffsets));
    }

    boolean inBlob(String key) {
      return blobOffsets.containsKey(key);
    }
  }

  /** What a packed header holds. */
  record Contents(Manifest manifest, Provenance provenance, Layout layout) {}

  /** Packs manifest, provenance (with its recipe) and layout, deflated. */
  static byte[] pack(Manifest m, Provenance p, Layout layout) {
    List<byte[]> digests = new ArrayList<>();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", Manifest.COMPACT_FORMAT_VERSION);
    root.put("sourceFormat", m.sourceFormat());
    ObjectNode meta = root.putObject("sourceMetadata");
    m.sourceMetadata().forEach(meta::put);
    ObjectNode prov = root.putObject("provenance");
    prov.put("nnzipVersion", p.nnzipVersion());
    prov.put("gitCommit", p.gitCommit());
    prov.put("sourceUri", p.sourceUri());
    prov.put("sourceBytes", p.sourceBytes());
    if (p.sourceSha256().matches("[0-9a-f]{64}")) {
      // The source's SHA-256 opens the digest table: 32 bytes, not 64 hex characters.
      digests.add(Digests.unhex(p.sourceSha256()));
    } else {
      prov.put("sourceSha256", p.sourceSha256());
    }
    boolean inline = Manifest.ONNX_GRAPH_IN_HEADER_KEY.equals(m.graphKey());
    if (inline != (layout.inlineGraph() != null)) {
      throw new IllegalStateException("graph key " + m.graphKey() + " with" + (inline ? "out" : "")
          + " graph bytes for the header");
    }
    if (m.graphKey() != null) {
      root.put("graph", m.graphKey());
      if (!inline) {
        digests.add(layout.graphSha256());
      }
    }
    if (layout.blobBytes() > 0) {
      root.put("blob", layout.blobBytes());
      digests.add(layout.blobSha256());
    }
    boolean tiled = tilesInOrder(m, layout);
    if (tiled) {
      // Blob members lie end to end in manifest order: their offsets follow from their sizes.
      root.put("tiled", true);
    }
    if (!m.shared().isEmpty()) {
      putEntries(root.putArray("shared"), m.shared(), Manifest.SHARED_PREFIX, layout, tiled, digests);
    }
    ArrayNode tensors = root.putArray("tensors");
    for (TensorRecord t : m.tensors()) {
      ObjectNode o = ManifestJson.putSpec(tensors.addObject(), t.spec());
      o.put("codec", t.codec().label());
      if (!t.isPassthrough()) {
        ManifestJson.putGrouping(o, t);
        // Diagnostics, not needed to decode: two significant digits, what a reader compares. Their
        // random digits were a tenth of a small transformer's deflated header at F32 precision.
        o.put("relativeMse", twoDigits(t.relativeMse()));
        o.put("maxAbsError", twoDigits(t.maxAbsError()));
      }
      putEntries(o.putArray("entries"), t.entries(), t.spec().name() + ".", layout, tiled, digests);
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    byte[] recipe = p.recipe().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length + recipe.length + 32 * digests.size() + 12);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(json.length);
      out.write(json);
      out.writeInt(recipe.length);
      out.write(recipe);
      out.writeInt(digests.size());
      for (byte[] d : digests) {
        if (d == null || d.length != Digests.SHA256_BYTES) {
          throw new IllegalStateException("a stored chunk has no SHA-256 digest");
        }
        out.write(d);
      }
      if (inline) {
        out.writeInt(layout.inlineGraph().length);
        out.write(layout.inlineGraph());
      }
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return PackedHeader.deflate(bytes.toByteArray());
  }

  /** x to two significant digits, as the float whose shortest decimal form has them. */
  static float twoDigits(double x) {
    if (x == 0 || !Double.isFinite(x)) {
      return (float) x;
    }
    return Float.parseFloat(String.format(java.util.Locale.ROOT, "%.1e", x));
  }

  /** Whether the blob's members lie end to end from offset 0 in {@link Manifest#allEntries()} order. */
  private static boolean tilesInOrder(Manifest m, Layout layout) {
    long next = 0;
    for (StoredEntry e : m.allEntries()) {
      Long at = layout.blobOffsets().get(e.key());
      if (at != null) {
        if (at != next) {
          return false;
        }
        next += e.bytes();
      }
    }
    return next == layout.blobBytes();
  }

  private static void putEntries(ArrayNode array, List<StoredEntry> entries, String prefix, Layout layout,
      boolean tiled, List<byte[]> digests) {
    for (StoredEntry e : entries) {
      ObjectNode eo = array.addObject();
      if (!e.key().equals(defaultKey(prefix, e.role()))) {
        eo.put("key", e.key()); // only keys the role does not already say are spelled out
      }
      eo.put("role", e.role());
      ArrayNode chunks = eo.putArray("chunks");
      for (Chunk c : e.chunks()) {
        chunks.add(c.bytes());
      }
      Long at = layout.blobOffsets().get(e.key());
      if (at != null) {
        if (!tiled) {
          eo.put("at", at);
        }
      } else {
        if (tiled) {
          eo.put("own", true); // an entry of its own, outside the blob
        }
        e.chunks().forEach(c -> digests.add(c.sha256() == null ? null : Digests.unhex(c.sha256())));
      }
    }
  }

  /**
   * The key an entry of this role gets by convention: {@code <tensor>} for a passed-through
   * tensor's data, {@code <tensor>.codes} for codes, {@code <tensor>.<name>} for a parameter
   * ({@code prefix} is {@code "<tensor>."}, or {@link Manifest#SHARED_PREFIX} for shared entries).
   */
  static String defaultKey(String prefix, String role) {
    if (role.equals(StoredEntry.DATA)) {
      return prefix.endsWith(".") && !prefix.equals(Manifest.SHARED_PREFIX) ? prefix.substring(0, prefix.length() - 1)
          : null;
    }
    if (role.equals(StoredEntry.CODES) || role.equals(StoredEntry.CODES_CABAC)) {
      return prefix + StoredEntry.CODES;
    }
    String param = new StoredEntry("", role, List.of()).parameterName();
    return param == null ? null : prefix + param;
  }

  /**
   * Unpacks a packed header.
   *
   * @param where file name for error messages
   * @throws InvalidInputException if the entry is truncated, corrupt, inflates past the cap, or its
   *     parts disagree (a digest table of the wrong length, an incomplete manifest)
   */
  static Contents unpack(byte[] packed, String where) {
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
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(where + ": the packed manifest is not valid JSON: " + e.getOriginalMessage());
    }
    Reader r = new Reader(root, digestTable, where);
    try {
      return r.contents(recipe, inlineGraph(rest, Manifest.ONNX_GRAPH_IN_HEADER_KEY.equals(root.path("graph").asText()),
          where));
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
    private final JsonNode root;
    private final byte[] digests;
    private final String where;
    private final boolean tiled;
    private int next;
    /** Offset of the next blob member when members are tiled. */
    private long nextAt;

    Reader(JsonNode root, byte[] digests, String where) {
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

    Contents contents(String recipe, byte[] inlineGraph) {
      int version = required(root, "format").asInt();
      if (version != Manifest.COMPACT_FORMAT_VERSION) {
        throw new InvalidInputException(where + ": packed header of format " + version + " in a format "
            + Manifest.COMPACT_FORMAT_VERSION + " artifact");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : required(root, "sourceMetadata").properties()) {
        meta.put(e.getKey(), e.getValue().asText());
      }
      JsonNode p = required(root, "provenance");
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
      for (JsonNode t : required(root, "tensors")) {
        tensors.add(tensor(t, offsets));
      }
      if (next * Digests.SHA256_BYTES != digests.length) {
        throw new InvalidInputException(where + ": the packed header has " + (digests.length / Digests.SHA256_BYTES)
            + " digests for " + next + " stored chunks");
      }
      Manifest m = new Manifest(version, required(root, "sourceFormat").asText(), meta, graphKey, tensors, shared);
      return new Contents(m, provenance, new Layout(blobBytes, blobSha, offsets, graphSha, inlineGraph));
    }

    private TensorRecord tensor(JsonNode t, Map<String, Long> offsets) {
      TensorSpec spec = ManifestJson.readSpec(t, where);
      CodecKind codec = CodecKind.parse(required(t, "codec").asText());
      List<StoredEntry> entries = entries(required(t, "entries"), spec.name() + ".", offsets);
      if (codec == CodecKind.PASSTHROUGH) {
        // The stored data is the original: its chunks (and digests) are the original's.
        List<Chunk> original = entries.isEmpty() ? List.of() : entries.get(0).chunks();
        return new TensorRecord(spec, codec, 0, null, 1, 0, original, 0, 0, entries);
      }
      JsonNode scope = t.get("scope");
      return new TensorRecord(spec, codec, required(t, "bits").asInt(), scope == null ? null : scope.asText(),
          required(t, "channels").asInt(), t.has("axis") ? t.get("axis").asInt() : 0,
          List.of(new Chunk(spec.byteSize(), null)), required(t, "relativeMse").asDouble(),
          required(t, "maxAbsError").asDouble(), entries);
    }

    private List<StoredEntry> entries(JsonNode array, String prefix, Map<String, Long> offsets) {
      List<StoredEntry> entries = new ArrayList<>();
      for (JsonNode e : array) {
        String role = required(e, "role").asText();
        String key = e.has("key") ? e.get("key").asText() : defaultKey(prefix, role);
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
        for (JsonNode c : required(e, "chunks")) {
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

    private JsonNode required(JsonNode node, String field) {
      return ManifestJson.required(node, field, where);
    }
  }
}
