package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.shade.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import nnzip.cli.Main;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile format 3 artifacts through the CLI: for each kind of damage (a flipped byte in
 * every kind of entry, truncated and exploding deflate streams with their digests made to match,
 * wrapping chunk sizes, an aq codebook of a million rows), {@code inspect --verify} and {@code
 * decompress} to safetensors and to ONNX end with exit 3 and one error line naming the problem, and
 * leave nothing in the output folder. The damage is done here with plain java.util.zip and SHA-256,
 * independently of nnzip's writer, following format 3 as README describes it.
 */
class CorruptArtifactCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IN = 8;
  private static final int WIDE = 9000; // per-channel parameters of W1 exceed the 16 KiB blob limit
  private static final int OUT = 4;

  @TempDir static Path dir;
  static FileSystem fs;
  static Path uniform;
  static Path aq;

  @BeforeAll
  static void compressTwoArtifacts() throws IOException {
    fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()).getRawFileSystem();
    Path model = dir.resolve("wide.onnx");
    Files.write(model, model().toByteArray());
    uniform = dir.resolve("uniform.nnz.safetensors");
    aq = dir.resolve("aq.nnz.safetensors");
    ok("compress", "--in", model.toString(), "--out", uniform.toString(), "--master", "local[1]",
        "--set", "codec=uniform", "--set", "bits=8", "--set", "scope=channel");
    ok("compress", "--in", model.toString(), "--out", aq.toString(), "--master", "local[1]",
        "--set", "codec=aq", "--set", "aq.iterations=1", "--set", "aq.codebook-bits=4", "--set", "aq.init-lloyd=0");
  }

  /** X[1, 8] · W1[8, 9000] + B1 → Relu → · W2[9000, 4] + B2 → · S: a graph, a blob, large codes and large parameters. */
  private static ModelProto model() {
    SplittableRandom rng = new SplittableRandom(15);
    GraphProto g = GraphProto.newBuilder().setName("wide")
        .addInitializer(floats("W1", rng, IN, WIDE)).addInitializer(floats("B1", rng, WIDE))
        .addInitializer(floats("W2", rng, WIDE, OUT)).addInitializer(floats("B2", rng, OUT))
        .addInitializer(floats("S", rng))
        .addNode(node("MatMul", "X", "W1", "h1")).addNode(node("Add", "h1", "B1", "h2"))
        .addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("h2").addOutput("h3"))
        .addNode(node("MatMul", "h3", "W2", "h4")).addNode(node("Add", "h4", "B2", "h5"))
        .addNode(node("Mul", "h5", "S", "Y"))
        .addInput(value("X", 1, IN)).addOutput(value("Y", 1, OUT)).build();
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
  }

  private static TensorProto floats(String name, SplittableRandom rng, long... dims) {
    int n = 1;
    for (long d : dims) {
      n *= (int) d;
    }
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) rng.nextGaussian() * 0.1f);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static NodeProto node(String op, String a, String b, String out) {
    return NodeProto.newBuilder().setOpType(op).setName(out).addInput(a).addInput(b).addOutput(out).build();
  }

  private static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }

  // ---- the CLI ----

  private record Run(int code, String err) {
    /** The one error line the CLI printed for {@code command}. */
    String errorLine(String command) {
      List<String> lines = err.lines().filter(l -> l.startsWith("nnzip " + command + ": error")).toList();
      assertEquals(1, lines.size(), "one error line:\n" + err);
      return lines.get(0);
    }
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

  private static void ok(String... args) {
    Run r = run(args);
    assertEquals(Main.OK, r.code(), () -> "nnzip " + String.join(" ", args) + " failed:\n" + r.err());
  }

  /**
   * {@code inspect --verify} and {@code decompress} to safetensors and ONNX each exit 3 with one
   * error line that names the file and contains {@code problem}, and leave their output folder empty.
   */
  private static void refusedEverywhere(Path artifact, String problem) throws IOException {
    Run inspect = run("inspect", "--in", artifact.toString(), "--verify");
    assertEquals(Main.INVALID_INPUT, inspect.code(), inspect.err());
    assertNames(inspect.errorLine("inspect"), artifact, problem);
    for (String format : List.of("safetensors", "onnx")) {
      Path outDir = Files.createDirectories(dir.resolve("out-" + artifact.getFileName() + "-" + format));
      Path out = outDir.resolve("restored." + format);
      Run r = run("decompress", "--in", artifact.toString(), "--out", out.toString(), "--format", format);
      assertEquals(Main.INVALID_INPUT, r.code(), format + ": " + r.err());
      assertNames(r.errorLine("decompress"), artifact, problem);
      try (Stream<Path> left = Files.walk(outDir)) {
        List<Path> files = left.filter(p -> !p.equals(outDir)).toList();
        assertTrue(files.isEmpty(), format + ": decompress left " + files);
      }
    }
  }

  private static void assertNames(String line, Path artifact, String problem) {
    assertTrue(line.contains(artifact.getFileName().toString()), "names the file: " + line);
    assertTrue(line.contains(problem), "says '" + problem + "': " + line);
  }

  // ---- the tests ----

  @Test
  void intactArtifactsVerifyAndRestore() throws IOException {
    for (Path a : List.of(uniform, aq)) {
      ok("inspect", "--in", a.toString(), "--verify");
      ok("decompress", "--in", a.toString(), "--out", dir.resolve(a.getFileName() + ".onnx").toString(),
          "--format", "onnx");
      ok("decompress", "--in", a.toString(), "--out", dir.resolve(a.getFileName() + ".st").toString(),
          "--format", "safetensors");
    }
  }

  @Test
  void aFlippedByteInAnyEntryIsRefused() throws IOException {
    Parts p = Parts.of(uniform);
    // Every kind of entry the artifact has: header entry, graph, blob, and entries on their own.
    Map<String, Long> targets = new LinkedHashMap<>();
    // The graph lies inside the header entry: a byte flipped in its stretch of the deflate stream.
    targets.put(HEADER, p.entries.get(HEADER).length / 2L);
    targets.put(HEADER + " (graph)", p.entries.get(HEADER).length - 8L);
    String largeCodes = null;
    String largeParam = null;
    Map<String, Long> offsets = p.blobOffsets();
    for (JsonNode t : p.json().get("tensors")) {
      for (JsonNode e : t.get("entries")) {
        String key = Parts.keyOf(t, e);
        if (offsets.containsKey(key)) {
          continue;
        }
        switch (e.get("role").asText()) {
          case "codes" -> largeCodes = key;
          case "data" -> { } // B1, the only large float passthrough candidate, is coded by default
          default -> largeParam = key;
        }
      }
    }
    assertTrue(largeCodes != null && largeParam != null,
        "the model has code and parameter entries outside the blob: " + p.json());
    for (String key : List.of(largeCodes, largeParam)) {
      targets.put(key, p.entries.get(key).length / 2L);
    }
    // Blob members: a small tensor's codes (B2, coded per tensor at passthrough.uniform-bits) and a
    // per-channel parameter of W2.
    Long biasAt = offsets.get(Parts.keyOf(p.tensor("B2"), p.tensor("B2").get("entries").get(0)));
    Long paramAt = null;
    JsonNode w2 = p.tensor("W2");
    for (JsonNode e : w2.get("entries")) {
      String key = Parts.keyOf(w2, e);
      if (!e.get("role").asText().equals("codes") && offsets.containsKey(key)) {
        paramAt = offsets.get(key);
      }
    }
    assertTrue(biasAt != null && paramAt != null, "B2 and a parameter of W2 are in the blob: " + p.json());

    int i = 0;
    for (Map.Entry<String, Long> t : targets.entrySet()) {
      Path c = flipped(uniform, "flip-" + i++ + ".nnz.safetensors", t.getKey().split(" ")[0], t.getValue());
      refusedEverywhere(c, "corrupt");
    }
    refusedEverywhere(flipped(uniform, "flip-blob-bias.nnz.safetensors", BLOB, biasAt), "corrupt");
    refusedEverywhere(flipped(uniform, "flip-blob-param.nnz.safetensors", BLOB, paramAt + 1), "corrupt");
    // The same for the aq artifact's own entries (its codebooks and codes).
    Parts q = Parts.of(aq);
    int j = 0;
    for (String key : q.entries.keySet()) {
      refusedEverywhere(flipped(aq, "aq-flip-" + j++ + ".nnz.safetensors", key, q.entries.get(key).length / 2L),
          "corrupt");
    }
  }

  @Test
  void truncatedDeflateStreamsAreRefusedEvenWithMatchingDigests() throws IOException {
    Parts h = Parts.of(uniform);
    byte[] header = h.packHeader();
    h.entries.put(HEADER, java.util.Arrays.copyOf(header, header.length / 2));
    refusedEverywhere(h.write(dir.resolve("trunc-header.nnz.safetensors"), false), "truncated");

    // The graph inside the header cut short (its length still the whole graph's), the header's digest
    // matching the re-packed stream.
    Parts g = Parts.of(uniform);
    g.graphClaim = g.graph.length;
    g.graph = java.util.Arrays.copyOf(g.graph, g.graph.length / 2);
    refusedEverywhere(g.write(dir.resolve("trunc-graph.nnz.safetensors"), true), "truncated");
  }

  @Test
  void deflateStreamsThatExpandPastTheCapAreRefused() throws IOException {
    byte[] bomb = deflate(new byte[(64 << 20) + (1 << 20)]);
    assertTrue(bomb.length < 1 << 20, "a small stream: " + bomb.length);
    Parts h = Parts.of(uniform);
    h.entries.put(HEADER, bomb);
    // The graph is inflated with the header (the same stream), so this bomb covers it too.
    refusedEverywhere(h.write(dir.resolve("bomb-header.nnz.safetensors"), false), "inflates past");
  }

  @Test
  void chunkSizesThatWrapAreRefused() throws IOException {
    Parts p = Parts.of(uniform);
    ObjectNode root = (ObjectNode) p.json();
    ObjectNode codes = (ObjectNode) Parts.entryIn(root, "W1", "codes");
    // A chunk of Long.MAX_VALUE bytes before the real ones: the sum wraps to a negative length.
    com.fasterxml.jackson.databind.node.ArrayNode chunks = (com.fasterxml.jackson.databind.node.ArrayNode) codes.get("chunks");
    chunks.insert(0, Long.MAX_VALUE);
    p.setJson(root);
    refusedEverywhere(p.write(dir.resolve("wrap.nnz.safetensors"), true), "overflow");
  }

  @Test
  void sizesThatLieAreRefused() throws IOException {
    // A coded shape of 8 × 9·10^15 weights: far more codes than W1.codes holds, and a product
    // near the long range.
    Parts huge = Parts.of(uniform);
    ObjectNode root = (ObjectNode) huge.json();
    ObjectNode w1 = (ObjectNode) tensorIn(root, "W1");
    w1.putArray("shape").add(8).add(9_000_000_000_000_000L);
    huge.setJson(root);
    refusedEverywhere(huge.write(dir.resolve("huge-shape.nnz.safetensors"), true), "W1");

    // A blob member that claims 4 bytes more than it has: the members no longer tile the blob.
    Parts lying = Parts.of(uniform);
    root = (ObjectNode) lying.json();
    com.fasterxml.jackson.databind.node.ArrayNode sChunks =
        (com.fasterxml.jackson.databind.node.ArrayNode) Parts.entryIn(root, "S", "data").get("chunks");
    sChunks.set(0, sChunks.get(0).asLong() + 4);
    lying.setJson(root);
    refusedEverywhere(lying.write(dir.resolve("lying-member.nnz.safetensors"), true), "blob");
  }

  private static JsonNode tensorIn(JsonNode root, String name) {
    for (JsonNode t : root.get("tensors")) {
      if (t.get("name").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no tensor " + name);
  }

  @Test
  void anAqCodebookShapeOfAMillionRowsIsRefused() throws IOException {
    Parts p = Parts.of(aq);
    Long at = null;
    String role = null;
    for (Map.Entry<String, Long> e : p.blobOffsets().entrySet()) {
      if (e.getKey().endsWith(".shape")) {
        at = e.getValue();
      }
    }
    for (JsonNode e : p.allEntries()) {
      if (e.get("role").asText().endsWith(":shape")) {
        role = e.get("role").asText();
      }
    }
    assertTrue(at != null, "the codebook shape is a blob member: " + p.json());
    byte[] blob = p.entries.get(BLOB);
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    // [M, K, d]: K (codewords, the rows of each codebook) becomes a million, stored as F32 (the
    // shape is an F16 parameter when its values are exact halves; a million is not, so the entry
    // is rewritten as F32 in place of the F16 one only when it already is F32).
    if (role.startsWith("param16:")) {
      assertEquals(16f, nnzip.tensor.FloatCodec.halfToFloat(b.getShort((int) (at + 2))), "K of 4-bit codes, stored F16");
      b.putShort((int) (at + 2), nnzip.tensor.FloatCodec.floatToHalf(65504f)); // the largest F16: still not 16
      p.digests.set(p.blobDigest(), sha256(blob));
      refusedEverywhere(p.write(dir.resolve("aq-huge-k.nnz.safetensors"), true), "K = 65504");
      return;
    }
    assertEquals(16f, b.getFloat((int) (at + 4)), "K of 4-bit codes, stored F32");
    b.putFloat((int) (at + 4), 1_000_000f);
    p.digests.set(p.blobDigest(), sha256(blob));
    refusedEverywhere(p.write(dir.resolve("aq-million.nnz.safetensors"), true), "K = 1000000");
  }

  // ---- format 3 surgery, written from README's description ----

  private static final String HEADER = "nnzip.header.deflate";
  private static final String BLOB = "nnzip.blob";
  private static final String HEADER_DIGEST = "nnzip.header.sha256";

  /**
   * An artifact taken apart: its entries in file order, its metadata, and its header entry inflated
   * into manifest JSON, recipe, digest table (digests in order: source, blob, then the chunks of
   * every entry outside the blob) and the ONNX graph that follows the table.
   */
  private static final class Parts {
    final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
    final Map<String, String> metadata = new LinkedHashMap<>();
    final List<byte[]> digests = new ArrayList<>();
    byte[] json;
    byte[] recipe;
    byte[] graph;
    /** The graph length the header states, when a test makes it lie; null: the graph's own. */
    Integer graphClaim;

    static Parts of(Path artifact) throws IOException {
      Parts p = new Parts();
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(artifact.toUri());
      SafetensorsHeader h = SafetensorsReader.readHeader(fs, file);
      for (StoredTensor t : h.tensors(file.toString())) {
        p.entries.put(t.spec().name(), SafetensorsReader.readTensor(fs, t).array());
      }
      p.metadata.putAll(h.metadata());
      assertEquals("3", p.metadata.get("nnzip.format"));
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(inflate(p.entries.get(HEADER))))) {
        p.json = in.readNBytes(in.readInt());
        p.recipe = in.readNBytes(in.readInt());
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          p.digests.add(in.readNBytes(32));
        }
        assertEquals("nnzip.header.graph", p.json().get("graph").asText(), "the graph is in the header");
        p.graph = in.readNBytes(in.readInt());
        assertEquals(0, in.available());
      }
      return p;
    }

    JsonNode json() throws IOException {
      return JSON.readTree(json);
    }

    /** Index of the blob's digest: after the source's, which opens the table unless the JSON spells it. */
    int blobDigest() throws IOException {
      return json().get("provenance").has("sourceSha256") ? 0 : 1;
    }

    /** An entry's key: spelled out, or the one its role implies (see README's format 3). */
    static String keyOf(JsonNode tensor, JsonNode e) {
      if (e.has("key")) {
        return e.get("key").asText();
      }
      String prefix = tensor == null ? "nnzip.codebook." : tensor.get("name").asText() + ".";
      String role = e.get("role").asText();
      if (role.equals("data")) {
        return tensor.get("name").asText();
      }
      if (role.startsWith("codes")) {
        return prefix + "codes";
      }
      return prefix + role.substring(role.indexOf(':') + 1);
    }

    /**
     * Blob members by key with their offsets: each gives its own ({@code at}), or, in a tiled blob,
     * they lie end to end in manifest order (shared entries first) and the others say {@code own}.
     */
    Map<String, Long> blobOffsets() throws IOException {
      JsonNode root = json();
      boolean tiled = root.path("tiled").asBoolean(false);
      Map<String, Long> out = new LinkedHashMap<>();
      long next = 0;
      List<JsonNode[]> all = new ArrayList<>();
      root.path("shared").forEach(e -> all.add(new JsonNode[] {null, e}));
      root.get("tensors").forEach(t -> t.get("entries").forEach(e -> all.add(new JsonNode[] {t, e})));
      for (JsonNode[] te : all) {
        JsonNode e = te[1];
        boolean member = tiled ? !e.has("own") : e.has("at");
        if (member) {
          long at = tiled ? next : e.get("at").asLong();
          out.put(keyOf(te[0], e), at);
          long bytes = 0;
          for (JsonNode c : e.get("chunks")) {
            bytes += c.asLong();
          }
          next = at + bytes;
        }
      }
      return out;
    }

    void setJson(JsonNode root) {
      json = root.toString().getBytes(StandardCharsets.UTF_8);
    }

    List<JsonNode> allEntries() throws IOException {
      List<JsonNode> all = new ArrayList<>();
      JsonNode root = json();
      root.path("shared").forEach(all::add);
      root.get("tensors").forEach(t -> t.get("entries").forEach(all::add));
      return all;
    }

    JsonNode tensor(String name) throws IOException {
      for (JsonNode t : json().get("tensors")) {
        if (t.get("name").asText().equals(name)) {
          return t;
        }
      }
      throw new AssertionError("no tensor " + name);
    }

    /** The entry of {@code role} of tensor {@code name}, as a node of a JSON tree that {@link #setJson} can store. */
    JsonNode entry(String name, String role) throws IOException {
      return entryIn(json(), name, role);
    }

    static JsonNode entryIn(JsonNode root, String name, String role) {
      for (JsonNode t : root.get("tensors")) {
        if (t.get("name").asText().equals(name)) {
          for (JsonNode e : t.get("entries")) {
            if (e.get("role").asText().equals(role)) {
              return e;
            }
          }
        }
      }
      throw new AssertionError("no " + role + " entry of " + name);
    }

    /** The header entry re-packed from the (possibly edited) parts. */
    byte[] packHeader() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(json.length);
        out.write(json);
        out.writeInt(recipe.length);
        out.write(recipe);
        out.writeInt(digests.size());
        for (byte[] d : digests) {
          out.write(d);
        }
        out.writeInt(graphClaim != null ? graphClaim : graph.length);
        out.write(graph);
      }
      return deflate(bytes.toByteArray());
    }

    /**
     * Writes the parts as a safetensors file; with {@code repack} the header entry is re-packed
     * from the parts first. The metadata's header digest always matches the header entry written,
     * so only the damage under test is wrong.
     */
    Path write(Path out, boolean repack) throws IOException {
      if (repack) {
        entries.put(HEADER, packHeader());
      }
      Map<String, String> meta = new LinkedHashMap<>(metadata);
      meta.put(HEADER_DIGEST, hex(sha256(entries.get(HEADER))));
      List<TensorSpec> specs = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        specs.add(new TensorSpec(e.getKey(), DType.U8, new long[] {e.getValue().length}));
      }
      try (OutputStream os = Files.newOutputStream(out); SafetensorsWriter w = new SafetensorsWriter(os, specs, meta)) {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          w.writeTensor(e.getKey(), e.getValue());
        }
        w.finish();
      }
      return out;
    }
  }

  /** A copy of {@code artifact} with one byte of entry {@code key} changed, nothing else. */
  private static Path flipped(Path artifact, String name, String key, long at) throws IOException {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(artifact.toUri());
    StoredTensor t = SafetensorsReader.readHeader(fs, file).tensors(file.toString()).stream()
        .filter(s -> s.spec().name().equals(key)).findFirst().orElseThrow(() -> new AssertionError("no entry " + key));
    assertTrue(at >= 0 && at < t.spec().byteSize(), key + ": byte " + at + " of " + t.spec().byteSize());
    byte[] all = Files.readAllBytes(artifact);
    all[Math.toIntExact(t.offset() + at)] ^= 0x24;
    Path c = dir.resolve(name);
    Files.write(c, all);
    return c;
  }

  private static byte[] deflate(byte[] bytes) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    d.setInput(bytes);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  private static byte[] inflate(byte[] bytes) throws IOException {
    Inflater inf = new Inflater();
    inf.setInput(bytes);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    try {
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        assertFalse(n == 0 && inf.needsInput(), "an intact header inflates");
        out.write(buf, 0, n);
      }
    } catch (java.util.zip.DataFormatException e) {
      throw new IOException(e);
    } finally {
      inf.end();
    }
    return out.toByteArray();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }
}
