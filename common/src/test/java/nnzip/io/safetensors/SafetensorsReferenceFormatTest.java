package nnzip.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import nnzip.io.StoredTensor;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compatibility with the reference implementation (huggingface/safetensors) and the public spec. */
class SafetensorsReferenceFormatTest {
  private final FileSystem fs = TestFiles.localFs();

  @TempDir java.nio.file.Path dir;

  @Test
  void handBuiltFileFollowingThePublicSpecIsParsed() throws Exception {
    // Spec: u64 little-endian N, N bytes of UTF-8 JSON, then the data. Header order need not be
    // offset order, and the JSON may carry surrounding whitespace.
    String json = " {\"__metadata__\":{\"format\":\"pt\"},"
        + TestFiles.entry("b", "F32", "[2]", 4, 12) + ","
        + TestFiles.entry("a", "I8", "[2,2]", 0, 4) + "}   ";
    byte[] data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
        .put(new byte[] {1, -2, 3, -4}).putFloat(1.5f).putFloat(-0.25f).array();
    Path file = TestFiles.save(dir.resolve("hand.safetensors"), TestFiles.raw(json, data));

    SafetensorsHeader h = SafetensorsReader.readHeader(fs, file);
    assertEquals(List.of("a", "b"), h.entries().stream().map(SafetensorsHeader.Entry::name).toList());
    assertEquals(new TensorSpec("a", DType.I8, new long[] {2, 2}), h.entries().get(0).spec());
    assertEquals(Map.of("format", "pt"), h.metadata());
    assertEquals(8 + json.length(), h.dataStart());
    ByteBuffer b = SafetensorsReader.readTensor(fs, h.tensors(file.toString()).get(1));
    assertEquals(1.5f, b.getFloat(0));
    assertEquals(-0.25f, b.getFloat(4));
  }

  @Test
  void writerReproducesTheReferenceSerializationTestVectors() {
    // From the unit tests of huggingface/safetensors (safetensors/src/tensor.rs, test_serialization
    // and test_empty): exact bytes the reference writes.
    byte[] attn = TestFiles.written(
        List.of(new TensorSpec("attn.0", DType.F32, new long[] {1, 2, 3})), Map.of(),
        List.of(floats(0, 1, 2, 3, 4, 5)));
    byte[] expectedAttn = bytes(64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
        116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
        58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
        101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
        0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64);
    assertArrayEquals(expectedAttn, attn);

    byte[] empty = TestFiles.written(List.of(), Map.of(), List.of());
    assertArrayEquals(bytes(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32), empty);

    byte[] framework = TestFiles.written(List.of(), Map.of("framework", "pt"), List.of());
    assertArrayEquals(bytes(40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
        95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
        116, 34, 125, 125, 32, 32, 32, 32, 32), framework);
  }

  /**
   * {@code safetensors/reference-numpy.safetensors} was written by the reference implementation
   * (Python safetensors 0.8.0, {@code safetensors.numpy.save_file}) from numpy arrays of every dtype
   * numpy has (no BF16), a scalar and a zero-size tensor.
   */
  @Test
  void fileWrittenByTheReferenceImplementationIsReadAndRewrittenByteForByte() throws Exception {
    byte[] reference;
    try (InputStream in = getClass().getResourceAsStream("/safetensors/reference-numpy.safetensors")) {
      reference = in.readAllBytes();
    }
    Path file = TestFiles.save(dir.resolve("ref.safetensors"), reference);
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, file);

    assertEquals(14, h.entries().size());
    assertEquals(Map.of("format", "np", "note", "written by safetensors 0.8.0"), h.metadata());
    assertEquals(new TensorSpec("empty", DType.F32, new long[] {0, 4}), h.entry("empty").orElseThrow().spec());
    assertEquals(new TensorSpec("scalar", DType.F32, new long[] {}), h.entry("scalar").orElseThrow().spec());
    List<StoredTensor> stored = h.tensors(file.toString());
    ByteBuffer f32 = SafetensorsReader.readTensor(fs, find(stored, "f32"));
    assertEquals(1.25f, f32.getFloat(4 * 5));
    ByteBuffer u64 = SafetensorsReader.readTensor(fs, find(stored, "u64"));
    assertEquals(-1L, u64.getLong(0));
    ByteBuffer bool = SafetensorsReader.readTensor(fs, find(stored, "bool"));
    assertArrayEquals(new byte[] {1, 0, 1}, bool.array());

    // Same specs, same order, same metadata order, same bytes: the writer must give the same file.
    List<byte[]> data = new ArrayList<>();
    for (SafetensorsHeader.Entry e : h.entries()) {
      data.add(Arrays.copyOfRange(reference, (int) (h.dataStart() + e.begin()), (int) (h.dataStart() + e.end())));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SafetensorsWriter w = new SafetensorsWriter(out, h.specs(), h.metadata())) {
      for (int i = 0; i < data.size(); i++) {
        w.writeTensor(h.entries().get(i).name(), data.get(i));
      }
    }
    assertArrayEquals(reference, out.toByteArray());
  }

  private static StoredTensor find(List<StoredTensor> stored, String name) {
    return stored.stream().filter(t -> t.spec().name().equals(name)).findFirst().orElseThrow();
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }
}
