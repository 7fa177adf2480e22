package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.compress.CompressionSettings;
import nnzip.compress.TestSettings;
import nnzip.io.HadoopFiles;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entropy pass against the bit-packed artifact it rewrites (the reference): every tensor decodes
 * to the same bytes, the pruned tensors' codes shrink far below their packed width, incompressible
 * codes stay packed, a tensor larger than one segment is split into several, the output is
 * deterministic, and damaged coded bytes are caught by their segment's digest.
 */
class EntropyCodedArtifactTest {
  private static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("pruned.weight", DType.F32, new long[] {1100, 1000}), // more than one segment
      new TensorSpec("pruned.bias", DType.F32, new long[] {1100}),
      new TensorSpec("dense.weight", DType.F32, new long[] {64, 100}),
      new TensorSpec("conv.weight", DType.F32, new long[] {16, 8, 3, 3}));

  @TempDir static java.nio.file.Path shared;
  private static FileSystem fs;
  private static Artifact packed;
  private static Artifact coded;

  @BeforeAll
  static void compressOnce() throws IOException {
    fs = HadoopFiles.fileSystem(shared.toUri().toString());
    writeModel(shared.resolve("model.safetensors"));
    CompressionSettings s = TestSettings.of(CodecKind.DP, 3, Scope.TENSOR).keep(".*\\.bias").shardBytes(1 << 20)
        .build();
    LocalCompressor.Run run = LocalCompressor.compress(fs, new Path(shared.resolve("model.safetensors").toUri()),
        new Path(shared.resolve("w").toUri()), s, null);
    packed = Artifact.open(fs, run.artifact());
    Path out = new Path(shared.resolve("coded.nnz.safetensors").toUri());
    EntropyCodedArtifact.write(packed, fs, out, msg -> { });
    coded = Artifact.open(fs, out);
  }

  /** A pruned matrix (95% zeros, dead columns as never-lit input pixels give), a dense one, a pruned conv. */
  private static void writeModel(java.nio.file.Path file) throws IOException {
    SplittableRandom rnd = new SplittableRandom(7);
    try (OutputStream out = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(out, SPECS, new LinkedHashMap<>())) {
      for (TensorSpec s : SPECS) {
        int n = (int) s.numElements();
        int row = (int) Math.max(1, n / s.shape()[0]);
        float[] v = new float[n];
        boolean pruned = s.name().startsWith("pruned") || s.name().startsWith("conv");
        for (int i = 0; i < n; i++) {
          boolean deadColumn = pruned && (i % row) % 7 == 0;
          v[i] = pruned && (deadColumn || rnd.nextDouble() < 0.95) ? 0f : (float) rnd.nextGaussian();
        }
        ByteBuffer b = ByteBuffer.allocate((int) s.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        FloatCodec.encode(v, 0, n, s.dtype(), b);
        w.writeTensor(s.name(), b.array());
      }
      w.finish();
    }
  }

  private static TensorRecord record(Artifact a, String name) {
    return a.manifest().tensors().stream().filter(t -> t.spec().name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void everyTensorDecodesToTheSameBytesAsThePackedArtifact() throws IOException {
    coded.verify();
    assertEquals(Manifest.COMPACT_FORMAT_VERSION, coded.manifest().formatVersion());
    for (TensorRecord t : packed.manifest().tensors()) {
      assertArrayEquals(ArtifactRestorer.restoreToBytes(packed, t),
          ArtifactRestorer.restoreToBytes(coded, record(coded, t.spec().name())), t.spec().name());
      if (!t.isPassthrough()) {
        long count = t.spec().numElements();
        assertArrayEquals(ArtifactCodes.read(packed, t, count), ArtifactCodes.read(coded, record(coded, t.spec().name()),
            count), t.spec().name());
      }
    }
  }

  @Test
  void prunedCodesShrinkAndSplitIntoSegmentsWhileDenseOnesStayPacked() {
    TensorRecord big = record(coded, "pruned.weight");
    StoredEntry codes = CodeReader.codesEntry(big);
    assertEquals(StoredEntry.CODES_CABAC, codes.role());
    assertEquals(CodeReader.segments(1_100_000, 1000), codes.chunks().size());
    assertEquals(2, codes.chunks().size());
    // Order-0 entropy of the codes of a 95%-zero tensor is about 0.4 bits; packing stores 3.
    long packedBytes = CodeReader.codesEntry(record(packed, "pruned.weight")).bytes();
    assertTrue(codes.bytes() * 5 < packedBytes, codes.bytes() + " vs " + packedBytes);
    assertEquals(StoredEntry.CODES_CABAC, CodeReader.codesEntry(record(coded, "conv.weight")).role());
    // Gaussian codes at 3 bits are nearly incompressible: the pass keeps them packed unless smaller.
    StoredEntry dense = CodeReader.codesEntry(record(coded, "dense.weight"));
    assertTrue(dense.bytes() <= CodeReader.codesEntry(record(packed, "dense.weight")).bytes());
    assertTrue(coded.fileSize() < packed.fileSize());
  }

  @Test
  void theOutputIsDeterministic() throws IOException {
    Path again = new Path(shared.resolve("again.nnz.safetensors").toUri());
    EntropyCodedArtifact.write(packed, fs, again, msg -> { });
    assertArrayEquals(Files.readAllBytes(shared.resolve("coded.nnz.safetensors")),
        Files.readAllBytes(shared.resolve("again.nnz.safetensors")));
  }

  /** Manifest and recipe travel deflated in one entry (with binary digests), smaller than the JSON text. */
  @Test
  void theManifestAndRecipeTravelDeflatedAndADamagedCopyIsAClearError() throws IOException {
    assertTrue(coded.header().metadata().get(Manifest.METADATA_KEY) == null);
    assertEquals(packed.recipe(), coded.recipe());
    assertEquals(packed.source(), coded.source());
    long packedEntry = coded.entry(Manifest.PACKED_HEADER_KEY).spec().byteSize();
    assertTrue(packedEntry < ManifestJson.write(coded.manifest()).length() / 2, packedEntry + " bytes");
    java.nio.file.Path copy = shared.resolve("badheader.nnz.safetensors");
    byte[] all = Files.readAllBytes(shared.resolve("coded.nnz.safetensors"));
    all[(int) coded.entry(Manifest.PACKED_HEADER_KEY).offset() + 3] ^= 0x5a;
    Files.write(copy, all);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, new Path(copy.toUri())));
    assertTrue(e.getMessage().contains("header is corrupt"), e.getMessage());
  }

  @Test
  void aDamagedSegmentIsCaughtByItsDigest() throws IOException {
    java.nio.file.Path copy = shared.resolve("damaged.nnz.safetensors");
    Files.copy(shared.resolve("coded.nnz.safetensors"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    TensorRecord t = record(coded, "pruned.weight");
    long at = coded.entry(CodeReader.codesEntry(t).key()).offset() + 10;
    byte[] all = Files.readAllBytes(copy);
    all[(int) at] ^= 0x40;
    Files.write(copy, all);
    Artifact damaged = Artifact.open(fs, new Path(copy.toUri()));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ArtifactRestorer.restoreToBytes(damaged, record(damaged, "pruned.weight")));
    assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("pruned.weight"), e.getMessage());
    // Finetuning's path to the codes (one read, the reader checking each segment) catches it too.
    TensorRecord d = record(damaged, "pruned.weight");
    InvalidInputException forFinetune = assertThrows(InvalidInputException.class,
        () -> ArtifactCodes.read(damaged, d, CodeReader.layoutOf(damaged, d).count()));
    assertTrue(forFinetune.getMessage().contains("corrupt"), forFinetune.getMessage());
  }
}
