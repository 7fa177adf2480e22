package nnzip.io.safetensors;

import static nnzip.io.safetensors.TestFiles.entry;
import static nnzip.io.safetensors.TestFiles.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A corpus of broken files: each must be refused with a one-line message naming file and fault. */
class SafetensorsCorruptFileTest {
  private final FileSystem fs = TestFiles.localFs();

  @TempDir java.nio.file.Path dir;

  /** A valid two-tensor file: "w" F32[2,2] at [0,16), "b" F32[2] at [16,24). */
  private static byte[] valid() {
    return TestFiles.written(
        List.of(new TensorSpec("w", DType.F32, new long[] {2, 2}), new TensorSpec("b", DType.F32, new long[] {2})),
        Map.of("format", "pt"), List.of(new byte[16], new byte[8]));
  }

  private static String header(String... entries) {
    return "{" + String.join(",", entries) + "}";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> corpus() {
    byte[] valid = valid();
    String w = entry("w", "F32", "[2]", 0, 8);
    return Stream.of(
        Arguments.of("empty file", new byte[0], "fewer than the 8"),
        Arguments.of("file shorter than the length field", new byte[5], "fewer than the 8"),
        Arguments.of("file cut inside the header", Arrays.copyOf(valid, 40), "runs past the end of the file"),
        Arguments.of("file cut inside the data", Arrays.copyOf(valid, valid.length - 3), "end past the data area"),
        Arguments.of("header length larger than the file", raw(1000, utf8(header(w)), new byte[8]), "header length 1000 runs past the end"),
        Arguments.of("header length 2^62", raw(1L << 62, utf8(header(w)), new byte[8]), "exceeds the cap"),
        Arguments.of("header length 2^64 - 1", raw(-1L, utf8(header(w)), new byte[8]), "18446744073709551615 exceeds the cap"),
        Arguments.of("header length zero", raw(0, new byte[0], new byte[8]), "too small"),
        Arguments.of("overlapping offsets", raw(header(w, entry("v", "F32", "[2]", 4, 12)), new byte[12]), "overlaps tensor 'w'"),
        Arguments.of("a hole between tensors", raw(header(w, entry("v", "F32", "[1]", 12, 16)), new byte[16]), "gap of 4"),
        Arguments.of("trailing bytes after the last tensor", raw(header(w), new byte[9]), "trailing bytes"),
        Arguments.of("offsets past the data area", raw(header(entry("w", "F32", "[2]", 8, 16)), new byte[8]), "end past the data area"),
        Arguments.of("offsets ending before they begin", raw(header(entry("w", "F32", "[0]", 8, 0)), new byte[8]), "end before they begin"),
        Arguments.of("negative offset", raw(header(entry("w", "F32", "[2]", -8, 0)), new byte[8]), "non-negative"),
        Arguments.of("three offsets", raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", new byte[8]), "[begin, end]"),
        Arguments.of("shape and dtype not matching the range", raw(header(entry("w", "F64", "[2]", 0, 8)), new byte[8]), "needs 16"),
        Arguments.of("malformed JSON", raw("{\"w\":{\"dtype\":\"F32\",", new byte[8]), "not valid JSON"),
        Arguments.of("JSON array instead of object", raw("[1,2]", new byte[0]), "must be a JSON object, found array"),
        Arguments.of("JSON string instead of object", raw("\"hi\"", new byte[0]), "must be a JSON object, found string"),
        Arguments.of("NUL padding after the JSON", raw(header(w) + "\0\0", new byte[8]), "not valid JSON"),
        Arguments.of("header not UTF-8", raw(1 + 2, new byte[] {'{', (byte) 0xff, '}'}, new byte[0]), "not valid UTF-8"),
        Arguments.of("duplicate tensor name", raw(header(w, w), new byte[8]), "header repeats a key (line 1, column 59): Duplicate field 'w'"),
        Arguments.of("unknown dtype", raw(header(entry("w", "F8_E4M3", "[2]", 0, 2)), new byte[2]), "tensor 'w': unknown dtype 'F8_E4M3'"),
        Arguments.of("lower-case dtype", raw(header(entry("w", "f32", "[2]", 0, 8)), new byte[8]), "unknown dtype 'f32'"),
        Arguments.of("dtype not a string", raw("{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "dtype must be a string"),
        Arguments.of("entry without dtype", raw("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "dtype must be a string, found nothing"),
        Arguments.of("entry without shape", raw("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "shape must be an array"),
        Arguments.of("entry without data_offsets", raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8]), "data_offsets must be an array"),
        Arguments.of("entry not an object", raw("{\"w\":[1]}", new byte[0]), "tensor 'w': entry must be an object"),
        Arguments.of("negative dimension", raw(header(entry("w", "F32", "[-2]", 0, 8)), new byte[8]), "dimension 0"),
        Arguments.of("fractional dimension", raw(header(entry("w", "F32", "[2.0]", 0, 8)), new byte[8]), "dimension 0"),
        Arguments.of("dimension beyond 64 bits", raw(header(entry("w", "F32", "[1,18446744073709551616]", 0, 8)), new byte[8]), "dimension 1"),
        Arguments.of("shape nested 100,000 arrays deep", raw(header(entry("w", "F32", "[".repeat(100_000) + "]".repeat(100_000), 0, 8)), new byte[8]), "Document nesting depth (1001) exceeds the maximum allowed (1000)"),
        Arguments.of("shape whose size overflows", raw(header(entry("w", "F32", "[4294967296,4294967296]", 0, 8)), new byte[8]), "overflows"),
        Arguments.of("metadata value not a string", raw("{\"__metadata__\":{\"step\":3}," + w + "}", new byte[8]), "value of 'step' must be a string"),
        Arguments.of("metadata not an object", raw("{\"__metadata__\":[\"a\"]," + w + "}", new byte[8]), "must be an object of strings"));
  }

  @ParameterizedTest(name = "{0} is refused")
  @MethodSource("corpus")
  void brokenFileIsRefusedWithAMessageNamingTheProblem(String what, byte[] bytes, String fragment) {
    Path file = TestFiles.save(dir.resolve("broken.safetensors"), bytes);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsReader.readHeader(fs, file));
    assertTrue(e.getMessage().contains(fragment), what + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("broken.safetensors"), "names the file: " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void validBaseOfTheCorpusIsAccepted() throws Exception {
    // Guards the corpus: the files above must fail for their own fault, not for one they share.
    Path file = TestFiles.save(dir.resolve("ok.safetensors"), valid());
    assertEquals(2, SafetensorsReader.readHeader(fs, file).entries().size());
    Path one = TestFiles.save(dir.resolve("one.safetensors"), raw(header(entry("w", "F32", "[2]", 0, 8)), new byte[8]));
    assertEquals(8, SafetensorsReader.readHeader(fs, one).dataSize());
  }

  @Test
  void headerAboveTheCapIsRefusedBeforeItIsRead() {
    byte[] bytes = valid();
    long headerLength = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    Path file = TestFiles.save(dir.resolve("big-header.safetensors"), bytes);
    long cap = headerLength - 8;
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> SafetensorsReader.readHeader(fs, file, cap));
    assertTrue(e.getMessage().contains("exceeds the cap of " + cap), e.getMessage());
  }

  @Test
  void missingFileIsReportedAsNoSuchFile() {
    Path file = TestFiles.hadoopPath(dir.resolve("absent.safetensors"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsReader.readHeader(fs, file));
    assertEquals("no such file: " + file, e.getMessage());
  }

  @Test
  void directoryIsNotTakenForAFile() {
    Path d = TestFiles.hadoopPath(dir);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsReader.readHeader(fs, d));
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
  }

  @Test
  void tensorNameWithLineBreaksStillGivesAOneLineMessage() {
    String json = "{\"bad\\nname\":{\"dtype\":\"X\",\"shape\":[],\"data_offsets\":[0,1]}}";
    Path file = TestFiles.save(dir.resolve("nl.safetensors"), raw(json, new byte[1]));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsReader.readHeader(fs, file));
    assertTrue(e.getMessage().contains("unknown dtype 'X'"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
