package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import nnzip.Digests;
import nnzip.artifact.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts written by the real writer, then given sizes that a damaged or hostile file could hold
 * (chunk sizes that wrap, a codebook of a million rows, a shape of 2^40 elements) with their
 * digests made consistent again, so that only the bounds checks stand between them and an
 * allocation: {@code inspect --verify} and {@code decompress} must exit 3 with one line and write
 * nothing.
 */
class CorruptArtifactCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path dp;
  static Path aq;

  @BeforeAll
  static void writeArtifacts() throws IOException {
    Path model = Models.write(dir, "model.safetensors", 41, 0.02f);
    dp = dir.resolve("dp.nnz.safetensors");
    aq = dir.resolve("aq.nnz.safetensors");
    CliRun d = CliRun.of("compress", "--in", model.toString(), "--out", dp.toString(), "--recipe", "dp-4bit");
    assertEquals(0, d.code(), d.err());
    CliRun a = CliRun.of("compress", "--in", model.toString(), "--out", aq.toString(), "--set", "codec=aq",
        "--set", "aq.iterations=1");
    assertEquals(0, a.code(), a.err());
  }

  /** A format-1 artifact as its three parts: the safetensors header, the manifest in it, the data. */
  private record Parts(ObjectNode header, ObjectNode manifest, byte[] data) {
    static Parts read(Path file) throws IOException {
      byte[] all = Files.readAllBytes(file);
      int len = (int) ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
      ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, len, StandardCharsets.UTF_8));
      String manifest = header.get("__metadata__").get(Manifest.METADATA_KEY).asText();
      assertEquals(Manifest.FORMAT_VERSION, JSON.readTree(manifest).get("format").asInt(), "a format-1 artifact");
      return new Parts(header, (ObjectNode) JSON.readTree(manifest), Arrays.copyOfRange(all, 8 + len, all.length));
    }

    void write(Path file) throws IOException {
      ((ObjectNode) header.get("__metadata__")).put(Manifest.METADATA_KEY, manifest.toString());
      byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(h.length).put(h).put(data);
      Files.write(file, b.array());
    }

    ObjectNode tensor(String name) {
      for (JsonNode t : manifest.get("tensors")) {
        if (t.get("name").asText().equals(name)) {
          return (ObjectNode) t;
        }
      }
      throw new AssertionError("no tensor " + name);
    }

    ObjectNode entry(String tensor, String role) {
      for (JsonNode e : tensor(tensor).get("entries")) {
        if (e.get("role").asText().equals(role)) {
          return (ObjectNode) e;
        }
      }
      throw new AssertionError("no " + role + " entry of " + tensor);
    }

    /** A codec parameter of a tensor, its own or shared (aq's default global scope). */
    ObjectNode param(String tensor, String name) {
      for (JsonNode e : tensor(tensor).get("entries")) {
        if (e.get("role").asText().equals("param:" + name)) {
          return (ObjectNode) e;
        }
      }
      for (JsonNode e : manifest.path("shared")) {
        if (e.get("role").asText().equals("param:" + name)) {
          return (ObjectNode) e;
        }
      }
      throw new AssertionError("no parameter " + name + " of " + tensor);
    }

    /** Overwrites a stored entry's bytes (same length) and makes its one chunk's digest match. */
    void replace(ObjectNode entry, byte[] bytes) {
      JsonNode offsets = header.get(entry.get("key").asText()).get("data_offsets");
      int begin = offsets.get(0).asInt();
      assertEquals(offsets.get(1).asInt() - begin, bytes.length);
      System.arraycopy(bytes, 0, data, begin, bytes.length);
      ArrayNode chunks = (ArrayNode) entry.get("chunks");
      assertEquals(1, chunks.size());
      ((ObjectNode) chunks.get(0)).put("sha256", Digests.hex(Digests.sha256().digest(bytes)));
    }
  }

  private static Path corrupt(Path artifact, String name, Consumer<Parts> edit) throws IOException {
    Parts p = Parts.read(artifact);
    edit.accept(p);
    Path out = dir.resolve(name + ".nnz.safetensors");
    p.write(out);
    return out;
  }

  /** Both readers refuse the file with exit 3, one error line holding {@code expected}, and no output. */
  private static void assertRefused(Path artifact, String expected) throws IOException {
    CliRun inspect = CliRun.of("inspect", "--verify", "--in", artifact.toString());
    assertEquals(Main.INVALID_INPUT, inspect.code(), inspect.err());
    assertTrue(inspect.errorLine().contains(expected), inspect.errorLine());
    assertEquals(1, inspect.err().lines().filter(l -> l.startsWith("nnzip ")).count(), inspect.err());
    assertFalse(inspect.err().contains("OutOfMemoryError") || inspect.err().contains("NegativeArraySize"), inspect.err());
    for (String format : new String[] {"safetensors"}) {
      Path out = dir.resolve(artifact.getFileName() + ".restored." + format);
      CliRun d = CliRun.of("decompress", "--in", artifact.toString(), "--out", out.toString(), "--format", format);
      assertEquals(Main.INVALID_INPUT, d.code(), d.err());
      assertTrue(d.errorLine().contains(expected), d.errorLine());
      BadInputCliTest.assertNoOutput(out);
    }
  }

  @Test
  void unchangedCopiesStillPassSoTheEditingItselfIsSound() throws IOException {
    for (Path a : new Path[] {dp, aq}) {
      Path copy = corrupt(a, "copy-of-" + a.getFileName(), p -> { });
      assertEquals(0, CliRun.of("inspect", "--verify", "--in", copy.toString()).code());
      CliRun d = CliRun.of("decompress", "--in", copy.toString(), "--out", dir.resolve(copy.getFileName() + ".out").toString());
      assertEquals(0, d.code(), d.err());
    }
  }

  @Test
  void chunkSizesThatWrapAroundToTheEntrySizeAreRefused() throws IOException {
    Path wrapped = corrupt(dp, "wrapped", p -> {
      ObjectNode codes = p.entry("fc.weight", "codes");
      long size = codes.get("chunks").get(0).get("bytes").asLong();
      String sha = codes.get("chunks").get(0).get("sha256").asText();
      ArrayNode chunks = codes.putArray("chunks");
      for (int i = 0; i < 3; i++) {
        chunks.addObject().put("bytes", 1L << 62).put("sha256", sha);
      }
      chunks.addObject().put("bytes", (1L << 62) + size).put("sha256", sha); // 4 · 2^62 wraps to 0
    });
    assertRefused(wrapped, "fc.weight.codes");
  }

  @Test
  void negativeChunkSizesAreRefused() throws IOException {
    Path negative = corrupt(dp, "negative", p -> {
      ObjectNode codes = p.entry("fc.weight", "codes");
      long size = codes.get("chunks").get(0).get("bytes").asLong();
      String sha = codes.get("chunks").get(0).get("sha256").asText();
      ArrayNode chunks = codes.putArray("chunks");
      chunks.addObject().put("bytes", -64).put("sha256", sha);
      chunks.addObject().put("bytes", size + 64).put("sha256", sha);
    });
    assertRefused(negative, "fc.weight.codes");
  }

  @Test
  void aqCodebookShapeOfAMillionRowsIsRefused() throws IOException {
    for (float[] shape : new float[][] {{1e6f, 0, 0}, {0, 1e6f, 0}, {0, 0, 1e6f}, {3e9f, 0, 0}}) {
      Path big = corrupt(aq, "aq-shape-" + (int) Math.min(shape[0] + shape[1] * 3 + shape[2] * 7, 1e9), p -> {
        ObjectNode e = p.param("fc.weight", "shape");
        JsonNode offsets = p.header().get(e.get("key").asText()).get("data_offsets");
        ByteBuffer b = ByteBuffer.wrap(p.data(), offsets.get(0).asInt(), 12).order(ByteOrder.LITTLE_ENDIAN);
        float[] now = {b.getFloat(), b.getFloat(), b.getFloat()};
        ByteBuffer next = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3; i++) {
          next.putFloat(shape[i] == 0 ? now[i] : shape[i]);
        }
        p.replace(e, next.array());
      });
      assertRefused(big, "codebook shape"); // shared codebooks: the first aq tensor is named
    }
  }

  @Test
  void codedShapeOfTwoToTheFortyElementsIsRefused() throws IOException {
    Path huge = corrupt(dp, "huge-shape", p -> {
      ObjectNode t = p.tensor("fc.weight");
      t.putArray("shape").add(1L << 20).add(1L << 20);
    });
    assertRefused(huge, "fc.weight");
  }
}
