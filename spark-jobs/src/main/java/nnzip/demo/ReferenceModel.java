package nnzip.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.Progress;
import nnzip.data.Dataset;
import nnzip.data.FashionMnist;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import nnzip.train.FloatTensor;
import nnzip.train.Mlp;
import nnzip.train.MlpOnnxExporter;
import nnzip.train.MlpTrainer;

/**
 * The demo's real model: a 784-300-100-10 MLP trained on Fashion-MNIST with SameDiff on first use
 * and cached as ONNX and safetensors, so later runs start at once. Training holds a validation
 * split apart; the test set is only used to report accuracy.
 */
public final class ReferenceModel {
  /** Fraction of the training set kept apart for validation. */
  public static final double VALIDATION_FRACTION = 1.0 / 12;

  private ReferenceModel() {}

  /** Where cached models live: {@code $NNZIP_CACHE} or {@code ~/.cache/nnzip}. */
  public static Path cacheDir() {
    String env = System.getenv("NNZIP_CACHE");
    return env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "nnzip");
  }

  /** Base name of the cached files for these params. */
  public static String baseName(MlpTrainer.Params p) {
    StringBuilder sb = new StringBuilder("fashion-mlp-784");
    p.hiddenSizes().forEach(h -> sb.append('-').append(h));
    return sb.append("-10-e").append(p.epochs()).append("-seed").append(p.seed()).toString();
  }

  /** The cached ONNX model, trained and written first if missing. */
  public static Path onnx(MlpTrainer.Params params, Progress progress) throws IOException {
    Path dir = cacheDir();
    Path onnx = dir.resolve(baseName(params) + ".onnx");
    Path safetensors = dir.resolve(baseName(params) + ".safetensors");
    if (Files.isRegularFile(onnx) && Files.isRegularFile(safetensors)) {
      return onnx;
    }
    Files.createDirectories(dir);
    progress.report("training " + baseName(params) + " on Fashion-MNIST (first use; cached in " + dir + ")");
    Dataset.Split split = FashionMnist.train().split(VALIDATION_FRACTION, params.seed());
    // SameDiff prints a line per differentiated op on stdout; keep the demo's stdout for its report.
    java.io.PrintStream stdout = System.out;
    Mlp mlp;
    try {
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      mlp = new MlpTrainer(params).fit(split.train(), split.validation(), s -> progress.report(String.format(
          "epoch %d: train loss %.4f, validation accuracy %.2f%%, %.1f s (%.1f ms/step)", s.epoch(), s.trainLoss(),
          100 * s.validationAccuracy(), s.seconds(), s.millisPerStep())));
    } finally {
      System.setOut(stdout);
    }
    writeAtomically(safetensors, tmp -> writeSafetensors(mlp, tmp));
    writeAtomically(onnx, tmp -> MlpOnnxExporter.write(mlp, HadoopFiles.qualify(tmp.toString()),
        HadoopFiles.configuration()));
    return onnx;
  }

  /** The safetensors twin of {@link #onnx}. */
  public static Path safetensors(MlpTrainer.Params params, Progress progress) throws IOException {
    Path onnx = onnx(params, progress);
    return onnx.resolveSibling(baseName(params) + ".safetensors");
  }

  /** The F32 weights of an ONNX model by key (initializer name for a top-level initializer). */
  public static Map<String, FloatTensor> readTensors(Path onnx) throws IOException {
    org.apache.hadoop.fs.Path path = HadoopFiles.qualify(onnx.toString());
    OnnxWeights weights = OnnxWeights.read(HadoopFiles.fileSystem(path.toString()), path);
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (OnnxWeight w : weights.list()) {
      float[] v = new float[(int) w.spec().numElements()];
      FloatCodec.decode(ByteBuffer.wrap(weights.bytes(w.key())), w.spec().dtype(), v, 0, v.length);
      out.put(w.key(), new FloatTensor(w.spec(), v));
    }
    return out;
  }

  /** Writes an MLP's tensors as an F32 safetensors file. */
  public static void writeSafetensors(Mlp mlp, Path file) throws IOException {
    Map<String, FloatTensor> tensors = mlp.toTensors();
    List<TensorSpec> specs = new ArrayList<>();
    tensors.values().forEach(t -> specs.add(t.spec()));
    try (OutputStream out = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(out, specs, new LinkedHashMap<>(Map.of("nnzip.model", "mlp")))) {
      for (FloatTensor t : tensors.values()) {
        ByteBuffer b = ByteBuffer.allocate((int) t.spec().byteSize());
        FloatCodec.encode(t.data(), 0, t.data().length, t.spec().dtype(), b);
        w.writeTensor(t.spec().name(), b.array());
      }
      w.finish();
    }
  }

  interface FileWrite {
    void to(Path tmp) throws IOException;
  }

  private static void writeAtomically(Path target, FileWrite write) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      write.to(tmp);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
