package nnzip.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.io.StoredTensor;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
  private final FileSystem fs = TestFiles.localFs();

  @TempDir java.nio.file.Path dir;

  /** One tensor per dtype, with odd element counts so that nothing lands aligned by luck. */
  private static List<TensorSpec> everyDtype() {
    List<TensorSpec> specs = new ArrayList<>();
    long[][] shapes = {{3}, {2, 3}, {}, {1, 5, 1}, {0, 4}, {7}};
    for (DType t : DType.values()) {
      specs.add(new TensorSpec("t." + t.safetensorsName().toLowerCase(), t, shapes[t.ordinal() % shapes.length]));
    }
    return specs;
  }

  private static List<byte[]> dataFor(List<TensorSpec> specs) {
    List<byte[]> data = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      data.add(TestFiles.randomBytes(i, (int) specs.get(i).byteSize()));
    }
    return data;
  }

  private static Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("nnzip.format", "1");
    m.put("note", "ünïcode, \"quotes\" and \\ slashes");
    return m;
  }

  @Test
  void everyDtypeRoundTripsWithIdenticalHeaderAndBytes() throws Exception {
    List<TensorSpec> specs = everyDtype();
    List<byte[]> data = dataFor(specs);
    Path file = TestFiles.save(dir.resolve("all.safetensors"), TestFiles.written(specs, metadata(), data));

    SafetensorsHeader header = SafetensorsReader.readHeader(fs, file);
    assertEquals(specs, header.specs());
    assertEquals(metadata(), header.metadata());
    List<StoredTensor> stored = SafetensorsReader.tensors(fs, file);
    for (int i = 0; i < specs.size(); i++) {
      ByteBuffer read = SafetensorsReader.readTensor(fs, stored.get(i));
      byte[] bytes = new byte[read.remaining()];
      read.get(bytes);
      assertArrayEquals(data.get(i), bytes, specs.get(i).name());
      ByteArrayOutputStream copied = new ByteArrayOutputStream();
      SafetensorsReader.copyTensor(fs, stored.get(i), copied);
      assertArrayEquals(data.get(i), copied.toByteArray(), specs.get(i).name());
    }
  }

  @Test
  void sameInputGivesByteIdenticalFiles() {
    List<TensorSpec> specs = everyDtype();
    byte[] first = TestFiles.written(specs, metadata(), dataFor(specs));
    byte[] second = TestFiles.written(specs, metadata(), dataFor(specs));
    assertArrayEquals(first, second);
  }

  @Test
  void headerPutsMetadataFirstKeepsTensorOrderAndPadsWithSpacesTo8Bytes() {
    List<TensorSpec> specs = List.of(
        new TensorSpec("z", DType.F32, new long[] {2}), new TensorSpec("a", DType.U8, new long[] {1}));
    byte[] file = TestFiles.written(specs, Map.of("k", "v"), List.of(new byte[8], new byte[1]));
    long n = ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    String json = new String(file, 8, (int) n, StandardCharsets.UTF_8);

    assertEquals(0, n % 8, "header length is a multiple of 8");
    assertTrue(json.startsWith("{\"__metadata__\":{\"k\":\"v\"},\"z\":{"), json);
    assertTrue(json.indexOf("\"z\"") < json.indexOf("\"a\""), json);
    assertEquals(json.strip(), json.substring(0, json.lastIndexOf('}') + 1));
    assertTrue(json.substring(json.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '), "padding is spaces");
  }

  @Test
  void offsetsAreContiguousInDeclaredOrderAndTheSameWhenReadBack() throws Exception {
    List<TensorSpec> specs = everyDtype();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsHeader planned;
    try (SafetensorsWriter w = new SafetensorsWriter(out, specs, metadata())) {
      planned = w.header();
      List<byte[]> data = dataFor(specs);
      for (int i = 0; i < specs.size(); i++) {
        w.writeTensor(specs.get(i).name(), data.get(i));
      }
    }
    long expected = 0;
    for (SafetensorsHeader.Entry e : planned.entries()) {
      assertEquals(expected, e.begin(), e.name());
      expected = e.end();
    }
    assertEquals(0, planned.dataStart() % 8);
    assertEquals(out.size(), planned.fileSize());

    Path file = TestFiles.save(dir.resolve("x.safetensors"), out.toByteArray());
    SafetensorsHeader read = SafetensorsReader.readHeader(fs, file);
    assertEquals(planned.entries(), read.entries());
    assertEquals(planned.dataStart(), read.dataStart());
  }

  @Test
  void storedTensorsCarryAbsoluteOffsetsIntoTheQualifiedFile() throws Exception {
    List<TensorSpec> specs = everyDtype();
    List<byte[]> data = dataFor(specs);
    byte[] bytes = TestFiles.written(specs, Map.of(), data);
    Path file = TestFiles.save(dir.resolve("abs.safetensors"), bytes);
    List<StoredTensor> stored = SafetensorsReader.tensors(fs, file);
    for (int i = 0; i < stored.size(); i++) {
      StoredTensor t = stored.get(i);
      assertTrue(t.file().startsWith("file:"), t.file());
      byte[] slice = Arrays.copyOfRange(bytes, (int) t.offset(), (int) t.end());
      assertArrayEquals(data.get(i), slice, t.spec().name());
    }
  }
}
