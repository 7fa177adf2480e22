package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Manifest JSON: exact round trip, fixed bytes, and rejection of what this version cannot read. */
class ManifestJsonTest {
  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "0123456789abcdef".repeat(4);

  /** A manifest with a coded tensor, a passthrough tensor, a scalar, odd metadata and a graph. */
  static Manifest sample() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("note", "quotes \" and \\ and unicode ✓ and\nnewline");
    meta.put("empty", "");
    TensorRecord coded = new TensorRecord(new TensorSpec("layer.0.weight", DType.BF16, new long[] {64, 3, 3, 3}),
        nnzip.codec.CodecKind.UNIFORM, 4, "channel", 64, 1, List.of(new Chunk(1728, SHA_A)), 0.0123456789012345, 1.5e-3, List.of(
            new StoredEntry("layer.0.weight.codes", StoredEntry.CODES,
                List.of(new Chunk(512, SHA_B), new Chunk(352, SHA_A))),
            new StoredEntry("layer.0.weight.qmin", "param:qmin", List.of(new Chunk(256, SHA_B))),
            new StoredEntry("layer.0.weight.qstep", "param:qstep", List.of(new Chunk(256, SHA_A)))));
    TensorRecord kept = new TensorRecord(new TensorSpec("ids", DType.I64, new long[] {1, 7}), nnzip.codec.CodecKind.PASSTHROUGH,
        0, null, 1, 0, List.of(new Chunk(56, SHA_B)), 0, 0, List.of(new StoredEntry("ids", StoredEntry.DATA, List.of(new Chunk(56, SHA_B)))));
    TensorRecord scalar = new TensorRecord(new TensorSpec("scale", DType.F32, new long[] {}), nnzip.codec.CodecKind.PASSTHROUGH,
        0, null, 1, 0, List.of(new Chunk(4, SHA_A)), 0, 0, List.of(new StoredEntry("scale", StoredEntry.DATA, List.of(new Chunk(4, SHA_A)))));
    TensorRecord empty = new TensorRecord(new TensorSpec("none", DType.F16, new long[] {0, 5}), nnzip.codec.CodecKind.UNIFORM, 2, "tensor",
        1, 0, List.of(new Chunk(0, SHA_B)), Double.MIN_VALUE, Double.MAX_VALUE, List.of(
            new StoredEntry("none.codes", StoredEntry.CODES, List.of())));
    return new Manifest(Manifest.FORMAT_VERSION, "onnx", meta, Manifest.ONNX_GRAPH_KEY,
        List.of(coded, kept, scalar, empty));
  }

  @Test
  void aWrittenManifestReadsBackEqual() {
    Manifest m = sample();
    Manifest back = ManifestJson.read(ManifestJson.write(m), "test");
    assertEquals(m, back);
    assertEquals(List.copyOf(m.sourceMetadata().keySet()), List.copyOf(back.sourceMetadata().keySet()),
        "metadata order kept");
    assertEquals(0.0123456789012345, back.tensors().get(0).relativeMse(), 0, "doubles exact");
    assertNull(back.tensors().get(1).scope());
    assertEquals(Manifest.ONNX_GRAPH_KEY, back.graphKey());
  }

  @Test
  void aManifestWithoutGraphReadsBackWithoutGraph() {
    Manifest s = sample();
    Manifest m = new Manifest(s.formatVersion(), "safetensors", Map.of(), null, s.tensors().subList(0, 2));
    String json = ManifestJson.write(m);
    assertFalse(json.contains("\"graph\""), json);
    assertEquals(m, ManifestJson.read(json, "test"));
  }

  @Test
  void anInfiniteRelativeErrorSurvivesTheRoundTrip() {
    // ErrorStats.relativeMse gives +Inf for any error on a zero-variance tensor.
    Manifest s = sample();
    TensorRecord t = s.tensors().get(0);
    TensorRecord inf = new TensorRecord(t.spec(), t.codec(), t.bits(), t.scope(), t.channels(), t.channelAxis(), t.original(),
        Double.POSITIVE_INFINITY, t.maxAbsError(), t.entries());
    Manifest m = new Manifest(s.formatVersion(), s.sourceFormat(), s.sourceMetadata(), null, List.of(inf));
    assertEquals(Double.POSITIVE_INFINITY, ManifestJson.read(ManifestJson.write(m), "m").tensors().get(0).relativeMse());
  }

  @Test
  void theSameManifestAlwaysGivesTheSameBytes() {
    String a = ManifestJson.write(sample());
    assertEquals(a, ManifestJson.write(sample()));
    assertEquals(a, ManifestJson.write(ManifestJson.read(a, "test")), "writing what was read is a fixed point");
    assertTrue(a.startsWith("{\"format\":1,\"sourceFormat\":\"onnx\",\"sourceMetadata\":{\"format\":\"pt\""), a);
    assertTrue(a.indexOf("\"layer.0.weight\"") < a.indexOf("\"ids\""), "tensors in manifest order");
  }

  @Test
  void anUnknownFormatVersionIsRejectedNamingBothVersions() {
    ObjectNode tree = ManifestJson.toTree(sample());
    tree.put("format", 3);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ManifestJson.read(tree.toString(), "x.nnz.safetensors"));
    assertTrue(e.getMessage().contains("x.nnz.safetensors") && e.getMessage().contains("version 3")
        && e.getMessage().contains("versions " + Manifest.FORMAT_VERSION + " to "
        + Manifest.ENTROPY_FORMAT_VERSION), e.getMessage());
    tree.put("format", 0);
    assertThrows(InvalidInputException.class, () -> ManifestJson.read(tree.toString(), "x.nnz.safetensors"));
  }

  private static void assertMissingRejected(ObjectNode tree, ObjectNode holder, String field) {
    assertNotNull(holder.remove(field), field + " was in the manifest");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ManifestJson.read(tree.toString(), "m"), "without " + field);
    assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
  }

  @Test
  void everyRequiredFieldIsRequired() {
    for (String f : List.of("format", "sourceFormat", "sourceMetadata", "tensors")) {
      ObjectNode tree = ManifestJson.toTree(sample());
      assertMissingRejected(tree, tree, f);
    }
    for (String f : List.of("name", "dtype", "shape", "codec", "bits", "channels", "original", "relativeMse",
        "maxAbsError", "entries")) {
      ObjectNode tree = ManifestJson.toTree(sample());
      assertMissingRejected(tree, (ObjectNode) tree.get("tensors").get(0), f);
    }
    for (String f : List.of("key", "role", "chunks")) {
      ObjectNode tree = ManifestJson.toTree(sample());
      assertMissingRejected(tree, (ObjectNode) tree.get("tensors").get(0).get("entries").get(1), f);
    }
    for (String f : List.of("bytes", "sha256")) {
      ObjectNode tree = ManifestJson.toTree(sample());
      assertMissingRejected(tree, (ObjectNode) tree.get("tensors").get(0).get("entries").get(0).get("chunks").get(1), f);
    }
  }

  @Test
  void aNullFieldCountsAsMissing() {
    ObjectNode tree = ManifestJson.toTree(sample());
    ((ObjectNode) tree.get("tensors").get(1)).putNull("original");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ManifestJson.read(tree.toString(), "m"));
    assertTrue(e.getMessage().contains("'original'"), e.getMessage());
  }

  @Test
  void malformedJsonAndImpossibleTensorsAreInvalidInput() {
    assertThrows(InvalidInputException.class, () -> ManifestJson.read("{\"format\":1,", "m"));
    assertThrows(InvalidInputException.class, () -> ManifestJson.read("", "m"));
    ObjectNode badDtype = ManifestJson.toTree(sample());
    ((ObjectNode) badDtype.get("tensors").get(0)).put("dtype", "F8");
    assertThrows(InvalidInputException.class, () -> ManifestJson.read(badDtype.toString(), "m"));
    ObjectNode negative = ManifestJson.toTree(sample());
    ((ArrayNode) negative.get("tensors").get(0).get("shape")).set(1, -3);
    assertThrows(InvalidInputException.class, () -> ManifestJson.read(negative.toString(), "m"));
  }

  @Test
  void theTreeHoldsWhatInspectShows() {
    JsonNode t = ManifestJson.toTree(sample()).get("tensors").get(0);
    assertEquals(64L * 27 * 2, t.get("originalBytes").asLong());
    assertEquals(512 + 352 + 256 + 256, t.get("storedBytes").asLong());
    assertEquals("channel", t.get("scope").asText());
    assertFalse(ManifestJson.toTree(sample()).get("tensors").get(1).has("scope"), "passthrough has no scope");
  }
}
