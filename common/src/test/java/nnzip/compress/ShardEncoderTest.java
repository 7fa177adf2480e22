package nnzip.compress;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.codec.BitPacking;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.stats.ErrorStats;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a shard reports: the error of the tensor a user gets back, in the tensor's own dtype. */
class ShardEncoderTest {
  @TempDir java.nio.file.Path dir;

  private static FileSystem raw() throws IOException {
    return FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()).getRawFileSystem();
  }

  /** Encodes every shard of a [32, 64] tensor of {@code dtype} and checks the merged error. */
  private void reportedErrorIsThatOfTheRestoredValues(DType dtype, int bits) throws IOException {
    TensorSpec spec = new TensorSpec("w", dtype, new long[] {32, 64});
    int n = (int) spec.numElements();
    SplittableRandom rnd = new SplittableRandom(1);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (0.05 * rnd.nextGaussian());
    }
    ByteBuffer b = ByteBuffer.allocate((int) spec.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    FloatCodec.encode(v, 0, n, dtype, b);
    java.nio.file.Path file = dir.resolve(dtype + ".safetensors");
    try (OutputStream os = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(os, List.of(spec), Map.of())) {
      w.writeTensor("w", b.array());
    }
    FileSystem fs = raw();
    StoredTensor stored = SafetensorsReader.tensors(fs, new Path(file.toUri())).get(0);
    CompressionSettings settings = TestSettings.of(CodecKind.UNIFORM, bits, Scope.CHANNEL).shardBytes(512).build();
    TensorTask task = settings.taskFor(0, stored);
    TensorStatistics stats = TensorStatistics.scan(fs, task, ShardPlanner.plan(List.of(task), settings.shardBytes()));
    Path parts = new Path(dir.resolve("parts-" + dtype).toUri());
    ErrorStats reported = ErrorStats.EMPTY;
    float[] x = new float[n];
    FloatCodec.decode(ByteBuffer.wrap(b.array()), dtype, x, 0, n);
    double sse = 0;
    double max = 0;
    for (Shard s : ShardPlanner.plan(List.of(task), settings.shardBytes())) {
      ShardResult r = ShardEncoder.encode(fs, task, stats.quantizer(), s, parts);
      reported = reported.merge(r.error());
      // What the restorer writes for this shard: codes decoded, then stored in the tensor's dtype.
      byte[] packed = Files.readAllBytes(dir.resolve("parts-" + dtype).resolve(ShardEncoder.partName(s)));
      int[] codes = new int[s.count()];
      BitPacking.unpack(packed, 0, s.count(), bits, codes);
      float[] decoded = new float[s.count()];
      stats.quantizer().decode(codes, s.count(), s.first(), decoded);
      ByteBuffer restored = ByteBuffer.allocate(s.count() * dtype.byteSize());
      FloatCodec.encode(decoded, 0, s.count(), dtype, restored);
      restored.flip();
      float[] y = new float[s.count()];
      FloatCodec.decode(restored, dtype, y, 0, s.count());
      for (int i = 0; i < s.count(); i++) {
        double d = (double) x[(int) s.first() + i] - y[i];
        sse += d * d;
        max = Math.max(max, Math.abs(d));
      }
    }
    assertEquals(n, reported.count());
    assertEquals(max, reported.maxAbsError(), 0, dtype + " at " + bits + " bits: max |error| of the restored tensor");
    assertEquals(sse, reported.sumSquaredError(), 1e-12 * sse, dtype + " at " + bits + " bits: squared error");
  }

  @Test
  void bf16ShardsReportTheErrorOfTheRestoredBf16Values() throws IOException {
    reportedErrorIsThatOfTheRestoredValues(DType.BF16, 8);
  }

  @Test
  void f16ShardsReportTheErrorOfTheRestoredF16Values() throws IOException {
    reportedErrorIsThatOfTheRestoredValues(DType.F16, 10);
  }

  @Test
  void f32ShardsReportTheErrorOfTheDecodedValues() throws IOException {
    reportedErrorIsThatOfTheRestoredValues(DType.F32, 8);
  }
}
