package nnzip.io.onnx;

import static nnzip.io.onnx.OnnxProtos.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExternalDataTest {
  @TempDir Path dir;

  private OnnxWeights readWith(TensorProto external) throws IOException {
    ModelProto m = model(graph("g", List.of(), List.of(external), List.of(), List.of()));
    FileSystem fs = FileSystem.getLocal(new Configuration());
    return OnnxWeights.of(m, fs, new org.apache.hadoop.fs.Path(dir.toUri()));
  }

  private InvalidInputException rejected(TensorProto external) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> readWith(external));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    return e;
  }

  private static TensorProto weight(String location, long offset) {
    return TestModels.external(rawFloats("W", new float[12], 4, 3), location, offset);
  }

  @Test
  void locationsMayNameSubdirectoriesAndDotSegmentsThatStayInside() throws IOException {
    Files.createDirectories(dir.resolve("a/b"));
    Files.write(dir.resolve("a/w.bin"), le(new float[] {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
    OnnxWeights ws = readWith(weight("./a/b/../w.bin", 16));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, floats(ws.bytes("W")));
    assertTrue(ws.get("W").external().file().endsWith("/a/w.bin"), ws.get("W").external().file());
  }

  @Test
  void missingExternalFileIsRejectedNamingTensorAndFile() {
    InvalidInputException e = rejected(weight("weights.bin", 0));
    assertTrue(e.getMessage().contains("'W'") && e.getMessage().contains("missing")
        && e.getMessage().contains(dir.resolve("weights.bin").toString()), e.getMessage());
  }

  @Test
  void externalFileTooShortForTheRangeIsRejected() throws IOException {
    Files.write(dir.resolve("weights.bin"), new byte[50]);
    InvalidInputException e = rejected(weight("weights.bin", 4));
    assertTrue(e.getMessage().contains("'W'") && e.getMessage().contains("[4, 52)")
        && e.getMessage().contains("(50 bytes)"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../weights.bin", "a/../../weights.bin", "/etc/passwd", "s3a://bucket/w.bin",
      "..\\weights.bin", ".", ""})
  void locationsOutsideTheModelDirectoryAreRejected(String location) throws IOException {
    Files.write(dir.resolve("weights.bin"), new byte[48]);
    InvalidInputException e = rejected(weight(location, 0));
    assertTrue(e.getMessage().contains("'W'"), e.getMessage());
    assertTrue(e.getMessage().contains("not a file path inside") || e.getMessage().contains("without a location"),
        e.getMessage());
  }

  @Test
  void locationThroughASymlinkedFileOrFolderOutsideIsRejected() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.write(outside.resolve("secret.bin"), new byte[48]);
    Files.createSymbolicLink(model.resolve("w.bin"), outside.resolve("secret.bin"));
    Files.createSymbolicLink(model.resolve("data"), outside);
    for (String location : new String[] {"w.bin", "data/secret.bin"}) {
      ModelProto m = model(graph("g", List.of(), List.of(weight(location, 0)), List.of(), List.of()));
      FileSystem fs = FileSystem.getLocal(new Configuration());
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> OnnxWeights.of(m, fs, new org.apache.hadoop.fs.Path(model.toUri())));
      assertTrue(e.getMessage().startsWith("tensor 'W': external data location '" + location + "' resolves to "
          + outside.toRealPath().resolve("secret.bin") + ", outside the model folder"), e.getMessage());
    }
  }

  @Test
  void symlinksStayingInsideTheModelDirectoryAreFollowed() throws IOException {
    Files.createDirectories(dir.resolve("a"));
    Files.write(dir.resolve("a/w.bin"), le(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
    Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, floats(readWith(weight("b/w.bin", 0)).bytes("W")));
  }

  @Test
  void lengthEntryDisagreeingWithTheShapeIsRejected() throws IOException {
    Files.write(dir.resolve("weights.bin"), new byte[96]);
    TensorProto t = weight("weights.bin", 0).toBuilder().setExternalData(2, TestModels.entry("length", "96")).build();
    assertTrue(rejected(t).getMessage().contains("length 96 differs from its size 48"));
  }

  @Test
  void malformedOffsetIsRejected() {
    TensorProto t = weight("weights.bin", 0).toBuilder().setExternalData(1, TestModels.entry("offset", "-8")).build();
    assertTrue(rejected(t).getMessage().contains("offset '-8'"));
  }

  @Test
  void externalDataWithoutAFileSystemIsRejected() {
    ModelProto m = model(graph("g", List.of(), List.of(weight("weights.bin", 0)), List.of(), List.of()));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxWeights.of(m));
    assertTrue(e.getMessage().contains("'W'"), e.getMessage());
  }

  @Test
  void externalTensorOfANonWeightTypeIsRejected() {
    TensorProto t = weight("weights.bin", 0).toBuilder().setDataType(TensorProto.DataType.COMPLEX64_VALUE).build();
    assertTrue(rejected(t).getMessage().contains("COMPLEX64"));
  }

  @Test
  void aFileThatShrankAfterEnumerationFailsTheReadNamingTheTensor() throws IOException {
    Files.write(dir.resolve("weights.bin"), new byte[48]);
    OnnxWeights ws = readWith(weight("weights.bin", 0));
    Files.write(dir.resolve("weights.bin"), new byte[10]);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ws.bytes("W"));
    assertTrue(e.getMessage().contains("'W'"), e.getMessage());
  }

  @Test
  void twoHundredWeightsSharingOneMegabyteAreReadInPlaceAndCountedOnce() throws IOException {
    int n = 1 << 18; // 1 MiB of floats
    float[] values = random(new java.util.SplittableRandom(7), n);
    Files.createDirectories(dir.resolve("data"));
    Files.write(dir.resolve("data/shared.bin"), le(values));
    List<TensorProto> inits = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      inits.add(TestModels.external(rawFloats("w" + i, values, n), "data/shared.bin", 0));
    }
    inits.add(rawFloats("inline", new float[] {1, 2, 3}, 3));
    Path onnx = dir.resolve("model.onnx");
    Files.write(onnx, model(graph("g", List.of(), inits, List.of(), List.of())).toByteArray());
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path scratch = new org.apache.hadoop.fs.Path(dir.resolve("scratch").toUri());
    nnzip.io.ModelSource source = nnzip.io.ModelSource.open(fs,
        new org.apache.hadoop.fs.Path(onnx.toUri()), scratch);

    long scratchBytes;
    try (var files = Files.walk(dir.resolve("scratch"))) {
      scratchBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    assertTrue(scratchBytes <= Files.size(onnx), scratchBytes + " scratch bytes for a " + Files.size(onnx)
        + "-byte ONNX file");
    assertEquals(Files.size(onnx) + 4L * n, source.sourceBytes()); // the shared megabyte once
    assertEquals(201, source.tensors().size());
    // Every tensor's bytes, read where the source says they lie, are the weights themselves.
    byte[] expected = le(values);
    for (int i : new int[] {0, 199}) {
      nnzip.io.StoredTensor t = source.tensors().get(i);
      assertEquals("w" + i, t.spec().name());
      byte[] got = new byte[(int) t.spec().byteSize()];
      try (var in = fs.open(new org.apache.hadoop.fs.Path(t.file()))) {
        in.readFully(t.offset(), got);
      }
      assertArrayEquals(expected, got);
    }
    nnzip.io.StoredTensor inline = source.tensors().get(200);
    byte[] got = new byte[12];
    try (var in = fs.open(new org.apache.hadoop.fs.Path(inline.file()))) {
      in.readFully(inline.offset(), got);
    }
    assertArrayEquals(le(new float[] {1, 2, 3}), got);
  }
}
