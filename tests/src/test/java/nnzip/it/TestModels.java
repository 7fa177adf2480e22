package nnzip.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;

/** Small seeded safetensors models for integration tests. */
final class TestModels {
  private TestModels() {}

  /** Three weight tensors (F32, F16, BF16) and a bias; {@code poison} is planted in block.weight. */
  static Path write(Path file, long seed, float poison) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    List<TensorSpec> specs = List.of(
        new TensorSpec("block.weight", DType.F32, new long[] {128, 96}),
        new TensorSpec("block.bias", DType.F32, new long[] {128}),
        new TensorSpec("proj.weight", DType.F16, new long[] {64, 128}),
        new TensorSpec("out.weight", DType.BF16, new long[] {10, 64, 3}));
    try (OutputStream out = Files.newOutputStream(file); SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of())) {
      for (TensorSpec s : specs) {
        float[] v = new float[(int) s.numElements()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((rng.nextDouble() - 0.5) * (1 + i % 7));
        }
        if (s.name().equals("block.weight")) {
          v[777] = poison;
        }
        ByteBuffer b = ByteBuffer.allocate((int) s.byteSize());
        FloatCodec.encode(v, 0, v.length, s.dtype(), b);
        w.writeTensor(s.name(), b.array());
      }
      w.finish();
    }
    return file;
  }
}
