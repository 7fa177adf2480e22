package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.compress.CompressionSettings;
import nnzip.compress.TestSettings;
import nnzip.io.HadoopFiles;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening and verifying artifacts whose bytes or manifest are wrong: always InvalidInputException. */
class ArtifactTest {
  @TempDir java.nio.file.Path dir;
  private FileSystem fs;
  private Path artifact;

  @BeforeEach
  void compressASmallModel() throws IOException {
    // Hadoop's checksummed LocalFileSystem stands in for HDFS, whose client checksums see damage first.
    fs = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
    List<TensorSpec> specs = List.of(new TensorSpec("fc.weight", DType.F32, new long[] {64, 100}),
        new TensorSpec("position_ids", DType.I64, new long[] {1, 10}));
    java.nio.file.Path model = dir.resolve("model.safetensors");
    SplittableRandom rnd = new SplittableRandom(1);
    try (OutputStream out = Files.newOutputStream(model);
        SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of())) {
      float[] v = new float[6400];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rnd.nextGaussian();
      }
      ByteBuffer b = ByteBuffer.allocate(4 * v.length);
      FloatCodec.encode(v, 0, v.length, DType.F32, b);
      w.writeTensor("fc.weight", b.array());
      ByteBuffer ids = ByteBuffer.allocate(80).order(ByteOrder.LITTLE_ENDIAN);
      for (long i = 0; i < 10; i++) {
        ids.putLong(i);
      }
      w.writeTensor("position_ids", ids.array());
    }
    CompressionSettings settings = TestSettings.of(CodecKind.UNIFORM, 4, Scope.CHANNEL).build();
    artifact = LocalCompressor.compress(fs, new Path(model.toUri()), new Path(dir.resolve("w").toUri()), settings,
        null).artifact();
  }

  @Test
  void aFlippedByteOnTheChecksummedLocalFileSystemFailsVerifyAsInvalidInputNamingTheEntry() throws IOException {
    // Written through Hadoop's LocalFileSystem, the artifact has a .crc side file, so the damage
    // is first seen by Hadoop's own checksum, before nnzip's SHA-256.
    Artifact intact = Artifact.open(fs, artifact);
    StoredTensor codes = intact.entry("fc.weight.codes");
    // 3200 code bytes: the middle one lies in another 512-byte checksum chunk than the header.
    ArtifactRoundTripTest.flipByte(java.nio.file.Path.of(artifact.toUri()), codes.offset() + codes.spec().byteSize() / 2);
    // A blob member is read (and its damage seen) on open; an entry of its own on verify.
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, artifact).verify());
    String named = Format3Files.inBlob(intact, "fc.weight.codes") ? "blob" : "'fc.weight.codes'";
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void aFlippedByteInTheHeaderOnTheChecksummedLocalFileSystemIsInvalidInput() throws IOException {
    ArtifactRoundTripTest.flipByte(java.nio.file.Path.of(artifact.toUri()), 100);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, artifact));
    assertTrue(e.getMessage().contains("model.nnz.safetensors"), e.getMessage());
  }

  @Test
  void anUnknownScopeInTheManifestIsInvalidInput() {
    TensorRecord t = new TensorRecord(new TensorSpec("w", DType.F32, new long[] {4, 4}), nnzip.codec.CodecKind.UNIFORM, 4, "rows", 4, 0,
        List.of(new Chunk(64, "0".repeat(64))), 0, 0, List.of());
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.layoutOf(t));
    assertTrue(e.getMessage().contains("rows"), e.getMessage());
  }

  @Test
  void aPassthroughShapeThatDisagreesWithItsStoredBytesIsRejectedOnOpen() throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, artifact);
    Manifest m = Artifact.open(fs, artifact).manifest();
    List<TensorRecord> tensors = new ArrayList<>();
    for (TensorRecord t : m.tensors()) {
      TensorSpec spec = t.isPassthrough() ? new TensorSpec(t.spec().name(), t.spec().dtype(), new long[] {1, 11})
          : t.spec();
      tensors.add(new TensorRecord(spec, t.codec(), t.bits(), t.scope(), t.channels(), t.channelAxis(), t.original(), t.relativeMse(),
          t.maxAbsError(), t.entries()));
    }
    Path bad = Format3Files.withManifest(fs, artifact, new Manifest(m.formatVersion(), m.sourceFormat(),
        m.sourceMetadata(), m.graphKey(), tensors), dir.resolve("bad.nnz.safetensors"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, bad));
    assertTrue(e.getMessage().contains("position_ids"), e.getMessage());
  }
}
