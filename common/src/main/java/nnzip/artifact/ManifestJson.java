package nnzip.artifact;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes and reads the manifest as JSON. Field order is fixed so the same manifest always gives
 * the same bytes (artifacts are byte-identical across runs). Reading branches on the format
 * version so older artifacts stay readable.
 */
public final class ManifestJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestJson() {}

  /** The manifest as compact JSON. */
  public static String write(Manifest m) {
    return toTree(m).toString();
  }

  /** The manifest as a JSON tree (for {@code inspect --json}). */
  public static ObjectNode toTree(Manifest m) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", m.formatVersion());
    root.put("sourceFormat", m.sourceFormat());
    ObjectNode meta = root.putObject("sourceMetadata");
    m.sourceMetadata().forEach(meta::put);
    if (m.graphKey() != null) {
      root.put("graph", m.graphKey());
    }
    if (!m.shared().isEmpty()) {
      putEntries(root.putArray("shared"), m.shared());
    }
    ArrayNode tensors = root.putArray("tensors");
    for (TensorRecord t : m.tensors()) {
      ObjectNode o = putSpec(tensors.addObject(), t.spec());
      o.put("codec", t.codec().label());
      putGrouping(o, t);
      putChunks(o.putArray("original"), t.original());
      o.put("originalBytes", t.originalBytes());
      o.put("storedBytes", t.storedBytes());
      o.put("relativeMse", t.relativeMse());
      o.put("maxAbsError", t.maxAbsError());
      putEntries(o.putArray("entries"), t.entries());
    }
    return root;
  }

  private static void putEntries(ArrayNode array, List<StoredEntry> entries) {
    for (StoredEntry e : entries) {
      ObjectNode eo = array.addObject();
      eo.put("key", e.key());
      eo.put("role", e.role());
      putChunks(eo.putArray("chunks"), e.chunks());
    }
  }

  private static List<StoredEntry> readEntries(JsonNode array, String where) {
    List<StoredEntry> entries = new ArrayList<>();
    for (JsonNode e : array) {
      entries.add(new StoredEntry(required(e, "key", where).asText(), required(e, "role", where).asText(),
          readChunks(required(e, "chunks", where), where)));
    }
    return entries;
  }

  private static void putChunks(ArrayNode array, List<Chunk> chunks) {
    for (Chunk c : chunks) {
      array.addObject().put("bytes", c.bytes()).put("sha256", c.sha256());
    }
  }

  private static List<Chunk> readChunks(JsonNode array, String where) {
    List<Chunk> chunks = new ArrayList<>();
    for (JsonNode c : array) {
      chunks.add(new Chunk(required(c, "bytes", where).asLong(), required(c, "sha256", where).asText()));
    }
    return chunks;
  }

  /**
   * Parses a manifest.
   *
   * @param json the JSON text
   * @param where file name for error messages
   * @throws InvalidInputException if the JSON is malformed, of an unknown version, or incomplete
   */
  public static Manifest read(String json, String where) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(where + ": manifest is not valid JSON: " + e.getOriginalMessage());
    }
    try {
      int version = required(root, "format", where).asInt();
      if (version < Manifest.FORMAT_VERSION || version > Manifest.ENTROPY_FORMAT_VERSION) {
        throw new InvalidInputException(where + ": artifact format version " + version
            + " is not supported (this nnzip reads versions " + Manifest.FORMAT_VERSION + " to "
            + Manifest.ENTROPY_FORMAT_VERSION + ")");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : required(root, "sourceMetadata", where).properties()) {
        meta.put(e.getKey(), e.getValue().asText());
      }
      List<TensorRecord> tensors = new ArrayList<>();
      for (JsonNode t : required(root, "tensors", where)) {
        tensors.add(readTensor(t, where));
      }
      JsonNode graph = root.get("graph");
      return new Manifest(version, required(root, "sourceFormat", where).asText(), meta,
          graph == null ? null : graph.asText(), tensors,
          root.has("shared") ? readEntries(root.get("shared"), where) : List.of());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": bad manifest: " + e.getMessage());
    }
  }

  /** Writes a tensor's name, dtype and shape into {@code o}; returns {@code o}. */
  static ObjectNode putSpec(ObjectNode o, TensorSpec spec) {
    o.put("name", spec.name());
    o.put("dtype", spec.dtype().safetensorsName());
    ArrayNode shape = o.putArray("shape");
    for (long d : spec.shape()) {
      shape.add(d);
    }
    return o;
  }

  /** Writes a coded tensor's bits, scope, parameter groups and (when not 0) channel axis into {@code o}. */
  static void putGrouping(ObjectNode o, TensorRecord t) {
    o.put("bits", t.bits());
    if (t.scope() != null) {
      o.put("scope", t.scope());
    }
    o.put("channels", t.channels());
    if (t.channelAxis() != 0) {
      o.put("axis", t.channelAxis());
    }
  }

  /** Reads what {@link #putSpec} wrote. */
  static TensorSpec readSpec(JsonNode t, String where) {
    JsonNode shapeNode = required(t, "shape", where);
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong();
    }
    return new TensorSpec(required(t, "name", where).asText(), DType.fromSafetensors(required(t, "dtype", where).asText()),
        shape);
  }

  private static TensorRecord readTensor(JsonNode t, String where) {
    TensorSpec spec = readSpec(t, where);
    List<StoredEntry> entries = readEntries(required(t, "entries", where), where);
    JsonNode scope = t.get("scope");
    return new TensorRecord(spec, CodecKind.parse(required(t, "codec", where).asText()), required(t, "bits", where).asInt(),
        scope == null ? null : scope.asText(), required(t, "channels", where).asInt(),
        t.has("axis") ? t.get("axis").asInt() : 0,
        readChunks(required(t, "original", where), where), required(t, "relativeMse", where).asDouble(),
        required(t, "maxAbsError", where).asDouble(), entries);
  }

  static JsonNode required(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidInputException(where + ": manifest is missing '" + field + "'");
    }
    return v;
  }
}
