package nnzip.artifact;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.io.json.JsonReader;
import nnzip.io.json.JsonValue;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;

/**
 * Reads what {@link ManifestJson} writes, branching on the format version so older artifacts stay
 * readable. Apart from the writer, and with nnzip's own JSON reader, so reading an artifact needs no
 * Jackson (the device dialer runs this with nothing else on its class path).
 */
final class ManifestReader {
  private ManifestReader() {}

  private static List<StoredEntry> readEntries(JsonValue array, String where) {
    List<StoredEntry> entries = new ArrayList<>();
    for (JsonValue e : array) {
      entries.add(new StoredEntry(required(e, "key", where).asText(), required(e, "role", where).asText(),
          readChunks(required(e, "chunks", where), where)));
    }
    return entries;
  }

  private static List<Chunk> readChunks(JsonValue array, String where) {
    List<Chunk> chunks = new ArrayList<>();
    for (JsonValue c : array) {
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
    JsonValue root;
    try {
      root = JsonReader.parse(json);
    } catch (JsonReader.Malformed e) {
      throw new InvalidInputException(where + ": manifest is not valid JSON: " + e.getMessage());
    }
    try {
      int version = required(root, "format", where).asInt();
      if (version < Manifest.FORMAT_VERSION || version > Manifest.ENTROPY_FORMAT_VERSION) {
        throw new InvalidInputException(where + ": artifact format version " + version
            + " is not supported (this nnzip reads versions " + Manifest.FORMAT_VERSION + " to "
            + Manifest.ENTROPY_FORMAT_VERSION + ")");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<String, JsonValue> e : required(root, "sourceMetadata", where).properties()) {
        meta.put(e.getKey(), e.getValue().asText());
      }
      List<TensorRecord> tensors = new ArrayList<>();
      for (JsonValue t : required(root, "tensors", where)) {
        tensors.add(readTensor(t, where));
      }
      JsonValue graph = root.get("graph");
      return new Manifest(version, required(root, "sourceFormat", where).asText(), meta,
          graph == null ? null : graph.asText(), tensors,
          root.has("shared") ? readEntries(root.get("shared"), where) : List.of());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": bad manifest: " + e.getMessage());
    }
  }

  /** Reads what {@link ManifestJson#putSpec} wrote. */
  static TensorSpec readSpec(JsonValue t, String where) {
    return readSpec(t, where, null);
  }

  /** As {@link #readSpec(JsonValue, String)}, with {@code defaultDtype} where no dtype is given (null: required). */
  static TensorSpec readSpec(JsonValue t, String where, DType defaultDtype) {
    JsonValue shapeNode = required(t, "shape", where);
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong();
    }
    DType dtype = defaultDtype != null && !t.has("dtype") ? defaultDtype
        : DType.fromSafetensors(required(t, "dtype", where).asText());
    return new TensorSpec(required(t, "name", where).asText(), dtype, shape);
  }

  private static TensorRecord readTensor(JsonValue t, String where) {
    TensorSpec spec = readSpec(t, where);
    List<StoredEntry> entries = readEntries(required(t, "entries", where), where);
    JsonValue scope = t.get("scope");
    return new TensorRecord(spec, CodecKind.parse(required(t, "codec", where).asText()), required(t, "bits", where).asInt(),
        scope == null ? null : scope.asText(), required(t, "channels", where).asInt(),
        t.has("axis") ? t.get("axis").asInt() : 0,
        readChunks(required(t, "original", where), where), required(t, "relativeMse", where).asDouble(),
        required(t, "maxAbsError", where).asDouble(), entries);
  }

  static JsonValue required(JsonValue node, String field, String where) {
    JsonValue v = node.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidInputException(where + ": manifest is missing '" + field + "'");
    }
    return v;
  }
}
