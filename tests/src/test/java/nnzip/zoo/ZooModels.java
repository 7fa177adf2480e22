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
import nnzip.model.Architecture;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;

/** Small seeded models for zoo integration tests: safetensors (single or sharded), ONNX MLPs, a corrupt file. */
final class ZooModels {
  private ZooModels() {}

  /** A safetensors model of two weight matrices and a bias, values from {@code seed}. */
  static Path safetensors(Path file, long seed) throws IOException {
    write(file, SPECS, new SplittableRandom(seed));
    return file;
  }

  /**
   * The tensors of {@link #safetensors} in two shards and a Hugging Face {@code
   * model.safetensors.index.json} naming the shard of each tensor, in {@code dir}.
   *
   * @return the index file
   */
  static Path sharded(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder map = new StringBuilder();
    for (int s = 0; s < 2; s++) {
      String file = String.format("model-%05d-of-00002.safetensors", s + 1);
      List<TensorSpec> mine = s == 0 ? SPECS.subList(0, 2) : SPECS.subList(2, SPECS.size());
      write(dir.resolve(file), mine, rng);
      for (TensorSpec t : mine) {
        map.append(map.length() == 0 ? "" : ",").append('"').append(t.name()).append("\":\"").append(file).append('"');
      }
    }
    return Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"metadata\":{},\"weight_map\":{" + map + "}}");
  }

  private static final List<TensorSpec> SPECS = List.of(new TensorSpec("enc.weight", DType.F32, new long[] {256, 192}),
      new TensorSpec("enc.bias", DType.F32, new long[] {256}),
      new TensorSpec("dec.weight", DType.F16, new long[] {96, 256}));

  private static void write(Path file, List<TensorSpec> specs, SplittableRandom rng) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of())) {
      for (TensorSpec s : specs) {
        float[] v = new float[(int) s.numElements()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((rng.nextDouble() - 0.5) * (1 + i % 7) * 0.1);
        }
        ByteBuffer b = ByteBuffer.allocate((int) s.byteSize());
        FloatCodec.encode(v, 0, v.length, s.dtype(), b);
        w.writeTensor(s.name(), b.array());
      }
      w.finish();
    }
  }

  /** An ONNX MLP 784-300-100-10 with weights from {@code seed} (untrained; 1 MB). */
  static Path onnx(Path file, long seed) throws IOException {
    Files.write(file, Architecture.MLP_300_100.build(new int[] {1, 28, 28}, 10, seed).toByteArray());
    return file;
  }

  /** A .safetensors file whose header length points far past its end. */
  static Path corrupt(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(1L << 40);
    Files.write(file, b.array());
    return file;
  }
}
