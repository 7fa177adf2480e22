package nnzip.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Large generated models for benchmarks: seeded N(0, 0.05²) weights, streamed to disk. */
public final class BenchModels {
  private BenchModels() {}

  /**
   * Writes {@code tensors} weight tensors of shape [elements / 1000, 1000] in {@code dtype}.
   *
   * @param elementsPerTensor a multiple of 1000
   */
  public static void write(FileSystem fs, Path file, DType dtype, int tensors, long elementsPerTensor, long seed)
      throws IOException {
    List<TensorSpec> specs = new ArrayList<>();
    for (int i = 0; i < tensors; i++) {
      specs.add(new TensorSpec("layer" + i + ".weight", dtype, new long[] {elementsPerTensor / 1000, 1000}));
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] chunk = new float[1 << 18];
    ByteBuffer buf = ByteBuffer.allocate(chunk.length * dtype.byteSize());
    try (OutputStream out = fs.create(file, true); SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of())) {
      for (TensorSpec s : specs) {
        w.beginTensor(s.name());
        for (long left = s.numElements(); left > 0; ) {
          int n = (int) Math.min(chunk.length, left);
          for (int i = 0; i < n; i++) {
            chunk[i] = (float) (DpBenchmark.normal(rng) * 0.05);
          }
          buf.clear();
          FloatCodec.encode(chunk, 0, n, dtype, buf);
          w.write(buf.array(), 0, buf.position());
          left -= n;
        }
      }
      w.finish();
    }
  }
}
