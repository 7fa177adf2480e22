package nnzip.artifact;

import java.util.List;
import nnzip.InvalidInputException;
import nnzip.tensor.TensorSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes the manifest as JSON. Field order is fixed so the same manifest always gives the same
 * bytes (artifacts are byte-identical across runs). {@link ManifestReader} reads it back.
 */
public final class ManifestJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestJson() {}

  /**
   * Parses a manifest ({@link ManifestReader#read}).
   *
   * @throws InvalidInputException if the JSON is malformed, of an unknown version, or incomplete
   */
  public static Manifest read(String json, String where) {
    return ManifestReader.read(json, where);
  }

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

  private static void putChunks(ArrayNode array, List<Chunk> chunks) {
    for (Chunk c : chunks) {
      array.addObject().put("bytes", c.bytes()).put("sha256", c.sha256());
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

}
