package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.compress.CompressionSettings;
import nnzip.compress.TestSettings;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and damaged format 3 artifacts of an ONNX model (graph, header, blob and entries of their
 * own): each is refused with one clear {@link InvalidInputException} (the CLI's exit 3), on open or
 * on verify, before any restore writes a byte; an intact copy restores to the original graph.
 */
class CompactFormatCorruptionTest {
  @TempDir static java.nio.file.Path dir;
  static FileSystem fs;
  static Path artifact;
  static byte[] original;

  @BeforeAll
  static void compressTinyOnnx() throws IOException {
    java.nio.file.Path model = dir.resolve("tiny.onnx");
    try (InputStream in = CompactFormatCorruptionTest.class.getResourceAsStream("/artifacts/legacy/tiny.onnx")) {
      Files.copy(in, model);
    }
    original = Files.readAllBytes(model);
    fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()).getRawFileSystem();
    CompressionSettings settings = TestSettings.of(CodecKind.UNIFORM, 8, Scope.CHANNEL).keep("b1").minElements(64)
        .build();
    artifact = LocalCompressor.compress(fs, new Path(model.toUri()), new Path(dir.resolve("w").toUri()), settings,
        null).artifact();
  }

  private static java.nio.file.Path local(Path p) {
    return java.nio.file.Path.of(p.toUri());
  }

  private static java.nio.file.Path copy(String name) throws IOException {
    java.nio.file.Path c = dir.resolve(name);
    Files.copy(local(artifact), c, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return c;
  }

  private static StoredTensor stored(Artifact a, String key) {
    return a.header().tensors(a.file().toString()).stream().filter(t -> t.spec().name().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no entry " + key));
  }

  private static void flip(java.nio.file.Path file, long at) throws IOException {
    byte[] all = Files.readAllBytes(file);
    all[Math.toIntExact(at)] ^= 0x24;
    Files.write(file, all);
  }

  /** Opens, verifies and restores to ONNX; returns the first error. */
  private static InvalidInputException refused(java.nio.file.Path file) {
    return assertThrows(InvalidInputException.class, () -> {
      Artifact a = Artifact.open(fs, new Path(file.toUri()));
      a.verify();
      ArtifactRestorer.toOnnxBytes(a);
    });
  }

  @Test
  void anIntactArtifactIsFormatThreeWithProvenanceAndRestoresTheGraph() throws IOException {
    Artifact a = Artifact.open(fs, artifact);
    a.verify();
    assertEquals(Manifest.COMPACT_FORMAT_VERSION, a.manifest().formatVersion());
    assertNotNull(a.provenance());
    assertEquals(Manifest.ONNX_GRAPH_IN_HEADER_KEY, a.manifest().graphKey());
    assertTrue(a.header().entry(Manifest.ONNX_GRAPH_DEFLATED_KEY).isEmpty(), "no graph entry of its own");
    // The artifact's only metadata are the format and the packed header's digest.
    assertEquals(Map.of(Manifest.FORMAT_KEY, "3", Manifest.HEADER_DIGEST_KEY,
        Digests.hex(Digests.sha256(SafetensorsReader.readTensor(fs, stored(a, Manifest.PACKED_HEADER_KEY)).array()))),
        a.header().metadata());
    byte[] restored = ArtifactRestorer.toOnnxBytes(a);
    assertEquals(original.length, restored.length, "the restored model has the original's size");
  }

  @Test
  void everyEntryKindIsCoveredByADigest() throws IOException {
    Artifact intact = Artifact.open(fs, artifact);
    for (TensorSpec s : intact.header().specs()) {
      java.nio.file.Path c = copy("flip.nnz.safetensors");
      StoredTensor t = stored(intact, s.name());
      flip(c, t.offset() + t.spec().byteSize() / 2);
      InvalidInputException e = refused(c);
      assertTrue(e.getMessage().contains("corrupt"), s.name() + ": " + e.getMessage());
    }
  }

  @Test
  void aChangedGraphIsCaughtEvenThoughItStillInflates() throws IOException {
    // Re-deflate the header with one op of its graph renamed (Relu -> Selu): a valid stream whose
    // digest no longer matches the one in the safetensors metadata.
    byte[] graph = Artifact.open(fs, artifact).graph();
    assertTrue(new String(graph, java.nio.charset.StandardCharsets.ISO_8859_1).contains("Relu"));
    java.nio.file.Path c = rewrite("selu.nnz.safetensors", Manifest.PACKED_HEADER_KEY,
        b -> PackedHeader.deflate(replace(PackedHeader.inflate(b, "test", "header"), "Relu", "Selu")), false);
    InvalidInputException e = refused(c);
    assertTrue(e.getMessage().contains("packed header is corrupt"), e.getMessage());
  }

  @Test
  void bytesAfterTheHeadersGraphOrAGraphCutShortAreRefused() throws IOException {
    java.nio.file.Path longer = rewrite("trailing.nnz.safetensors", Manifest.PACKED_HEADER_KEY,
        b -> PackedHeader.deflate(concat(PackedHeader.inflate(b, "test", "header"), new byte[] {1, 2, 3})), true);
    assertTrue(refused(longer).getMessage().contains("3 bytes after its ONNX graph"), refused(longer).getMessage());
    java.nio.file.Path shorter = rewrite("cut.nnz.safetensors", Manifest.PACKED_HEADER_KEY, b -> {
      byte[] raw = PackedHeader.inflate(b, "test", "header");
      return PackedHeader.deflate(java.util.Arrays.copyOf(raw, raw.length - 10));
    }, true);
    InvalidInputException e = refused(shorter);
    assertTrue(e.getMessage().contains("ONNX graph is truncated"), e.getMessage());
  }

  private static byte[] replace(byte[] bytes, String from, String to) {
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(text.contains(from));
    return text.replace(from, to).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aTruncatedHeaderStreamIsAClearErrorEvenWithAMatchingDigest() throws IOException {
    java.nio.file.Path c = rewrite("trunc.nnz.safetensors", Manifest.PACKED_HEADER_KEY,
        b -> java.util.Arrays.copyOf(b, b.length / 2), true);
    InvalidInputException e = refused(c);
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aHeaderThatInflatesPastTheCapIsRefusedWithoutExhaustingMemory() throws IOException {
    byte[] bomb = PackedHeader.deflate(new byte[PackedHeader.MAX_INFLATED + (1 << 20)]);
    assertTrue(bomb.length < 1 << 20, "a small stream: " + bomb.length);
    java.nio.file.Path c = rewrite("bomb.nnz.safetensors", Manifest.PACKED_HEADER_KEY, b -> bomb, true);
    InvalidInputException e = refused(c);
    assertTrue(e.getMessage().contains("inflates past"), e.getMessage());
  }

  @Test
  void chunkSizesThatWrapAreRefused() throws IOException {
    // Edit the packed header's JSON directly (no record with such chunks can be built): give the
    // first entry of its own a chunk of Long.MAX_VALUE bytes before its real one.
    Artifact a = Artifact.open(fs, artifact);
    StoredEntry target = a.manifest().allEntries().stream().filter(e -> !a.layout().inBlob(e.key())).findFirst()
        .orElseThrow();
    java.nio.file.Path c = rewrite("wrap.nnz.safetensors", Manifest.PACKED_HEADER_KEY, packed -> {
      byte[] raw = PackedHeader.inflate(packed, "test", "header");
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw);
      byte[] json = new byte[b.getInt()];
      b.get(json);
      String text = new String(json, java.nio.charset.StandardCharsets.UTF_8);
      // The header names an entry's key only where its role does not imply it, and marks the entries
      // outside the blob ("own"): the first such entry of this role is the target.
      java.util.regex.Matcher from = java.util.regex.Pattern.compile("\"role\":\"" + target.role()
          + "\",\"chunks\":\\[(?=[0-9,]*\\],\"own\":true\\})").matcher(text);
      assertTrue(from.find(), text);
      byte[] edited = (text.substring(0, from.end()) + Long.MAX_VALUE + "," + text.substring(from.end()))
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(raw.length - json.length + edited.length);
      out.putInt(edited.length).put(edited).put(raw, 4 + json.length, raw.length - 4 - json.length);
      return PackedHeader.deflate(out.array());
    }, true);
    InvalidInputException e = refused(c);
    assertTrue(e.getMessage().contains("overflow") && e.getMessage().contains(target.key()), e.getMessage());
  }

  @Test
  void tiledBlobMembersWhoseSizesNoLongerTileTheBlobAreRefused() throws IOException {
    // Tiled members carry no offsets: growing the first member's size by one shifts every later one.
    java.nio.file.Path c = rewrite("untiled.nnz.safetensors", Manifest.PACKED_HEADER_KEY, packed -> {
      byte[] raw = PackedHeader.inflate(packed, "test", "header");
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw);
      byte[] json = new byte[b.getInt()];
      b.get(json);
      String text = new String(json, java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(text.contains("\"tiled\":true") && !text.contains("\"at\":"), text);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"chunks\":\\[(\\d+)\\]\\}").matcher(text);
      assertTrue(m.find(), text);
      String grown = text.substring(0, m.start(1)) + (Long.parseLong(m.group(1)) + 1) + text.substring(m.end(1));
      byte[] edited = grown.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(raw.length - json.length + edited.length);
      out.putInt(edited.length).put(edited).put(raw, 4 + json.length, raw.length - 4 - json.length);
      return PackedHeader.deflate(out.array());
    }, true);
    refused(c);
  }

  /**
   * A copy with one entry's bytes replaced by {@code f} of them; with {@code redigest} the packed
   * header's digest in the metadata is recomputed (so only the content is wrong).
   */
  private static java.nio.file.Path rewrite(String name, String key, UnaryOperator<byte[]> f, boolean redigest)
      throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, artifact);
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    List<TensorSpec> specs = new ArrayList<>();
    for (StoredTensor t : h.tensors(artifact.toString())) {
      byte[] b = SafetensorsReader.readTensor(fs, t).array();
      if (t.spec().name().equals(key)) {
        b = f.apply(b);
      }
      bytes.put(t.spec().name(), b);
      specs.add(t.spec().name().equals(key) ? new TensorSpec(key, DType.U8, new long[] {b.length}) : t.spec());
    }
    Map<String, String> meta = new LinkedHashMap<>(h.metadata());
    if (redigest) {
      meta.put(Manifest.HEADER_DIGEST_KEY, Digests.hex(Digests.sha256(bytes.get(Manifest.PACKED_HEADER_KEY))));
    }
    java.nio.file.Path out = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(out); SafetensorsWriter w = new SafetensorsWriter(os, specs, meta)) {
      for (TensorSpec s : specs) {
        w.writeTensor(s.name(), bytes.get(s.name()));
      }
      w.finish();
    }
    return out;
  }
}
