package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import nnzip.Digests;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Artifacts written by the releases before format 3 (formats 1 and 2, committed under
 * {@code resources/artifacts/legacy}) still verify and decode bit for bit: the restored file's
 * SHA-256 equals what that release's {@code decompress} wrote.
 */
class LegacyFormatsTest {
  private static final String DIR = "/artifacts/legacy/";

  @TempDir Path tmp;

  static Stream<Arguments> fixtures() throws IOException {
    List<Arguments> all = new ArrayList<>();
    try (InputStream in = LegacyFormatsTest.class.getResourceAsStream(DIR + "expected.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          String[] f = line.trim().split(" ");
          all.add(Arguments.of(f[0], f[1], f[2]));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("fixtures")
  void previousFormatsStillDecodeBitForBit(String stem, String format, String sha256) throws Exception {
    Path art = tmp.resolve(stem + ".nnz.safetensors");
    try (InputStream in = getClass().getResourceAsStream(DIR + stem + ".nnz.safetensors")) {
      Files.copy(in, art);
    }
    FileSystem fs = HadoopFiles.fileSystem(art.toUri().toString());
    Artifact a = Artifact.open(fs, new org.apache.hadoop.fs.Path(art.toUri()));
    a.verify();
    byte[] restored;
    if (format.equals("onnx")) {
      restored = ArtifactRestorer.toOnnxBytes(a);
    } else {
      Path out = tmp.resolve(stem + ".restored.safetensors");
      DenseSafetensors.write(a, fs.create(new org.apache.hadoop.fs.Path(out.toUri()), true));
      restored = Files.readAllBytes(out);
    }
    assertEquals(sha256, Digests.hex(Digests.sha256(restored)), stem + " restored as " + format);
    if (stem.startsWith("f3-")) {
      // The first format-3 header kept the source's SHA-256 as hex JSON: it must still come back as it was.
      String source = stem.contains("onnx") ? "tiny.onnx" : "tiny.safetensors";
      try (InputStream in = getClass().getResourceAsStream(DIR + source)) {
        assertEquals(Digests.hex(Digests.sha256(in.readAllBytes())), a.provenance().sourceSha256(), stem);
      }
    }
  }
}
