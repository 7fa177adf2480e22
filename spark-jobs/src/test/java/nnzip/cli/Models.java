package nnzip.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;

/** Small safetensors models written for CLI tests. */
final class Models {
  private Models() {}

  /** A model with conv/linear-like weights of several dtypes, a bias and an integer tensor. */
  static Path write(Path dir, String name, long seed, float poison) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<TensorSpec, float[]> tensors = new LinkedHashMap<>();
    tensors.put(new TensorSpec("conv1.weight", DType.F32, new long[] {16, 3, 5, 5}), gaussian(rng, 16 * 75, 0.2));
    tensors.put(new TensorSpec("conv1.bias", DType.F32, new long[] {16}), gaussian(rng, 16, 0.1));
    tensors.put(new TensorSpec("fc.weight", DType.F16, new long[] {64, 200}), gaussian(rng, 64 * 200, 0.05));
    tensors.put(new TensorSpec("head.weight", DType.BF16, new long[] {10, 640}), gaussian(rng, 6400, 0.1));
    tensors.put(new TensorSpec("emb.weight", DType.F64, new long[] {50, 40}), gaussian(rng, 2000, 1));
    float[] fc = tensors.get(new TensorSpec("fc.weight", DType.F16, new long[] {64, 200}));
    fc[1234] = poison;
    List<TensorSpec> specs = new ArrayList<>(tensors.keySet());
    specs.add(new TensorSpec("steps", DType.I64, new long[] {4}));
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of("format", "pt"))) {
      for (Map.Entry<TensorSpec, float[]> e : tensors.entrySet()) {
        ByteBuffer b = ByteBuffer.allocate((int) e.getKey().byteSize());
        FloatCodec.encode(e.getValue(), 0, e.getValue().length, e.getKey().dtype(), b);
        w.writeTensor(e.getKey().name(), b.array());
      }
      ByteBuffer steps = ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (long i = 0; i < 4; i++) {
        steps.putLong(i * 1000);
      }
      w.writeTensor("steps", steps.array());
      w.finish();
    }
    return file;
  }

  static float[] gaussian(SplittableRandom rng, int n, double sigma) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      // Box–Muller from the seeded generator, so fixtures never depend on JDK RNG internals.
      double u = 1 - rng.nextDouble();
      double w = rng.nextDouble();
      v[i] = (float) (sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
    }
    return v;
  }
}
