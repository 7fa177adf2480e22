package nnzip.zoo;

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

/** Small seeded safetensors models and a corrupt one, for zoo tests. */
public final class ZooFixtures {
  private ZooFixtures() {}

  /** Two weight matrices (F32, F16) and a bias, values from {@code seed}. */
  public static Path model(Path file, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    List<TensorSpec> specs = List.of(new TensorSpec("fc1.weight", DType.F32, new long[] {64, 96}),
        new TensorSpec("fc1.bias", DType.F32, new long[] {64}),
        new TensorSpec("fc2.weight", DType.F16, new long[] {32, 64}));
    try (OutputStream out = Files.newOutputStream(file); SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of())) {
      for (TensorSpec s : specs) {
        float[] v = new float[(int) s.numElements()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((rng.nextDouble() - 0.5) * (1 + i % 5));
        }
        ByteBuffer b = ByteBuffer.allocate((int) s.byteSize());
        FloatCodec.encode(v, 0, v.length, s.dtype(), b);
        w.writeTensor(s.name(), b.array());
      }
      w.finish();
    }
    return file;
  }

  /** A file named like a model whose header length points past its end. */
  public static Path corrupt(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(1L << 40);
    Files.write(file, b.array());
    return file;
  }
}
