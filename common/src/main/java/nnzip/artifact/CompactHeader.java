package nnzip.artifact;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import nnzip.Digests;
import nnzip.InvalidInputException;
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
 * where that is not the one its role implies ({@link CompactLayout#defaultKey}). With {@code "tiled": true} the blob's
 * members lie end to end in that order and each entry outside the blob says {@code "own": true};
 * otherwise (the first format-3 writers) each blob member gives its offset in the blob ({@code at}).
 */
final class CompactHeader {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CompactHeader() {}

  /** Packs manifest, provenance (with its recipe) and layout, deflated. */
  static byte[] pack(Manifest m, Provenance p, CompactLayout layout) {
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
      if (t.spec().dtype() == nnzip.tensor.DType.F32) {
        o.remove("dtype"); // the reader's default, as "channels": 1 below
      }
      o.put("codec", t.codec().label());
      if (!t.isPassthrough()) {
        ManifestJson.putGrouping(o, t);
        if (t.channels() == 1) {
          o.remove("channels");
        }
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
  private static boolean tilesInOrder(Manifest m, CompactLayout layout) {
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

  private static void putEntries(ArrayNode array, List<StoredEntry> entries, String prefix, CompactLayout layout,
      boolean tiled, List<byte[]> digests) {
    for (StoredEntry e : entries) {
      ObjectNode eo = array.addObject();
      if (!e.key().equals(CompactLayout.defaultKey(prefix, e.role()))) {
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
   * Reads a header entry back ({@link CompactHeaderReader#unpack}).
   *
   * @throws InvalidInputException if the entry is damaged
   */
  static CompactContents unpack(byte[] packed, String where) {
    return CompactHeaderReader.unpack(packed, where);
  }
}
