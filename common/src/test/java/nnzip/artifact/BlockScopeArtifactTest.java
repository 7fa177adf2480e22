package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.codec.BitPacking;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.compress.CompressionSettings;
import nnzip.compress.TestSettings;
import nnzip.io.HadoopFiles;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code scope = auto} an i.i.d. matrix with short channels is coded in blocks of channels;
 * the manifest records only the scope {@code block} and the group count, and the reader rebuilds
 * the same layout from them, so the stored codes decode to what the compressor measured.
 */
class BlockScopeArtifactTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void blockScopeIsRecordedAsGroupsAndReadBackAsTheSameLayout() throws IOException {
    TensorSpec spec = new TensorSpec("dw.weight", DType.F32, new long[] {64, 1, 3, 3});
    float[] x = new float[(int) spec.numElements()];
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.1 * rnd.nextGaussian());
    }
    java.nio.file.Path file = dir.resolve("model.safetensors");
    try (OutputStream out = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(out, List.of(spec), new LinkedHashMap<>())) {
      ByteBuffer b = ByteBuffer.allocate((int) spec.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      FloatCodec.encode(x, 0, x.length, DType.F32, b);
      w.writeTensor(spec.name(), b.array());
      w.finish();
    }
    FileSystem fs = HadoopFiles.fileSystem(dir.toUri().toString());
    CompressionSettings settings = TestSettings.of(CodecKind.UNIFORM, 8, Scope.AUTO).shardBytes(1 << 20).build();
    LocalCompressor.Run run = LocalCompressor.compress(fs, new Path(file.toUri()), new Path(dir.resolve("w").toUri()),
        settings, null);
    TensorLayout chosen = run.stats().get(0).layoutOf(run.tasks().get(0));

    Artifact a = Artifact.open(fs, run.artifact());
    TensorRecord t = a.manifest().tensors().get(0);
    assertEquals("block", t.scope());
    assertEquals(chosen.channels(), t.channels());
    assertTrue(t.channels() > 1 && t.channels() < 64, "blocks, neither one group nor one per channel: " + t.channels());
    assertEquals(chosen, Artifact.layoutOf(t), "the reader recomputes the block size from the group count");
    assertTrue(t.entries().stream().anyMatch(StoredEntry::isHalfParameter), "min and step stored as F16");

    int[] codes = new int[x.length];
    ByteBuffer packed = nnzip.io.safetensors.SafetensorsReader.readTensor(fs, a.entry("dw.weight.codes"));
    byte[] bytes = new byte[packed.remaining()];
    packed.get(bytes);
    BitPacking.unpack(bytes, 0, x.length, 8, codes);
    float[] decoded = new float[x.length];
    a.coder(t).decode(codes, x.length, 0, decoded);
    double sse = 0;
    for (int i = 0; i < x.length; i++) {
      sse += ((double) x[i] - decoded[i]) * ((double) x[i] - decoded[i]);
    }
    nnzip.stats.Moments moments = new nnzip.stats.Moments();
    moments.add(x, x.length, 0);
    double variance = moments.variance();
    // The header stores the diagnostic to two significant digits (within 5%).
    assertEquals(sse / x.length / variance, t.relativeMse(), 0.05 * t.relativeMse(),
        "the manifest's error is the error of the stored codes under the read-back layout");
    assertEquals(CompactHeader.twoDigits(sse / x.length / variance), (float) t.relativeMse(), 0,
        "to the digit, as the writer rounds it");
  }
}
