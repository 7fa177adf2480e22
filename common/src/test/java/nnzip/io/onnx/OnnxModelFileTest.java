package nnzip.io.onnx;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelFileTest {
  @TempDir Path dir;

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  private static FileSystem local() throws IOException {
    return FileSystem.getLocal(new Configuration());
  }

  @Test
  void aWrittenModelReadsBackEqualThroughAHadoopPath() throws IOException {
    ModelProto m = TestModels.nested(1).model();
    Path p = dir.resolve("m.onnx");
    OnnxModelFile.write(local(), hadoop(p), m);
    assertEquals(m, OnnxModelFile.read(local(), hadoop(p)));
    assertArrayEquals(m.toByteArray(), Files.readAllBytes(p));
  }

  @Test
  void garbageBytesAreNotAnOnnxModel() throws IOException {
    byte[] random = new byte[4096];
    new SplittableRandom(7).nextBytes(random);
    byte[][] garbage = {random, "hello, this is a text file\n".getBytes(StandardCharsets.UTF_8), new byte[0],
        new byte[] {(byte) 0x08, (byte) 0x07}};
    for (int i = 0; i < garbage.length; i++) {
      Path p = dir.resolve("garbage" + i + ".onnx");
      Files.write(p, garbage[i]);
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxModelFile.read(local(), hadoop(p)));
      assertTrue(e.getMessage().startsWith("not an ONNX model: ") && e.getMessage().contains(p.getFileName().toString()),
          e.getMessage());
    }
  }

  @Test
  void aMissingModelFileIsRejectedNamingThePath() {
    Path p = dir.resolve("absent.onnx");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxModelFile.read(local(), hadoop(p)));
    assertTrue(e.getMessage().contains("absent.onnx"), e.getMessage());
  }

  @Test
  void parsingInMemoryBytesNamesWhatWasParsed() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OnnxModelFile.parse(new byte[] {(byte) 0xFF, (byte) 0xFF}, "artifact graph"));
    assertTrue(e.getMessage().startsWith("not an ONNX model: artifact graph"), e.getMessage());
  }
}
