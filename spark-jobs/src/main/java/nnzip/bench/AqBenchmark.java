package nnzip.bench;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.Progress;
import nnzip.artifact.Manifest;
import nnzip.artifact.TensorRecord;
import nnzip.config.Recipes;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.job.CompressJob;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Figures for the aq codec: relative MSE on 131,072 × 8 standard Gaussian subvectors at 2 bits per
 * weight (Faiss references in DESIGN.md), time with 1 vs 2 partitions, and shared against per-tensor
 * codebooks on a real model's weights.
 */
public final class AqBenchmark {
  private AqBenchmark() {}

  /** One F32 tensor [rows, 8] of N(0,1) values. */
  static void writeGaussian(FileSystem fs, Path file, int rows, long seed) throws IOException {
    TensorSpec spec = new TensorSpec("gauss.weight", DType.F32, new long[] {rows, 8});
    SplittableRandom r = new SplittableRandom(seed);
    ByteBuffer b = ByteBuffer.allocate((int) spec.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      b.putFloat((float) DpBenchmark.normal(r));
    }
    try (OutputStream out = fs.create(file, true); SafetensorsWriter w = new SafetensorsWriter(out, List.of(spec), Map.of())) {
      w.writeTensor(spec.name(), b.array());
      w.finish();
    }
  }

  /** Runs aq on {@code in} with these overrides; returns the job result. */
  static CompressJob.Result run(JavaSparkContext sc, String in, String out, List<String> set, Progress progress)
      throws IOException {
    Config recipe = Recipes.resolve(null, set);
    return CompressJob.run(sc, Recipes.settings(recipe), Recipes.render(recipe), in, out, true, progress);
  }

  /** Element-weighted relative MSE over the aq-coded tensors of a manifest. */
  static double pooledRelativeMse(Manifest m) {
    double num = 0;
    double den = 0;
    for (TensorRecord t : m.tensors()) {
      if (!t.isPassthrough()) {
        num += t.relativeMse() * t.spec().numElements();
        den += t.spec().numElements();
      }
    }
    return den == 0 ? 0 : num / den;
  }

  /** The Gaussian figure and the 1 vs 2 partition timing. */
  public static Map<String, Object> gaussian(JavaSparkContext sc, java.nio.file.Path dir, Progress progress)
      throws IOException {
    Path file = nnzip.io.HadoopFiles.qualify(dir.resolve("gauss-131072x8.safetensors").toString());
    writeGaussian(nnzip.io.HadoopFiles.fileSystem(file.toString()), file, 131_072, 11);
    Map<String, Object> m = new LinkedHashMap<>();
    String out = dir.resolve("gauss.nnz.safetensors").toString();
    // F32 codebooks as Faiss has them: this compares the algorithm, not the storage.
    List<String> set = List.of("codec=aq", "aq.codebook-dtype=f32", "aq.dim=8", "aq.codebooks=2", "aq.codebook-bits=8",
        "aq.beam=8", "aq.iterations=10", "aq.normalize=false", "aq.tolerance=0", "passthrough.min-elements=0");
    CompressJob.Result r = run(sc, file.toString(), out, set, progress);
    double rel = pooledRelativeMse(r.manifest());
    m.put("relativeMse", rel);
    m.put("goal", 0.090);
    m.put("stretchGoal", 0.080);
    m.put("faissResidualBeam8", 0.0951);
    m.put("faissLsq", 0.1033);
    m.put("seconds", r.seconds());
    progress.report(String.format("131,072 x 8 N(0,1), 2 bits/weight: relative MSE %.4f (Faiss RQ beam 8: 0.0951)", rel));
    for (int partitions : new int[] {1, 2}) {
      List<String> timed = new java.util.ArrayList<>(set);
      timed.set(5, "aq.iterations=3");
      timed.add("partitions=" + partitions);
      timed.add("shard-bytes=256k");
      long t0 = System.nanoTime();
      run(sc, file.toString(), out, timed, progress);
      m.put("secondsPartitions" + partitions, (System.nanoTime() - t0) / 1e9);
    }
    m.put("speedup2over1", (Double) m.get("secondsPartitions1") / (Double) m.get("secondsPartitions2"));
    m.put("weightsPerSecondPerCore1", 131_072 * 8 * 4.0 / (Double) m.get("secondsPartitions1"));
    return m;
  }

  /** Shared against per-tensor codebooks at the same bits per weight on a real model. */
  public static Map<String, Object> sharedVsPerTensor(JavaSparkContext sc, String model, java.nio.file.Path dir,
      Progress progress) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String scope : new String[] {"global", "tensor"}) {
      CompressJob.Result r = run(sc, model, dir.resolve("mlp-" + scope + ".nnz.safetensors").toString(),
          List.of("codec=aq", "aq.scope=" + scope, "aq.iterations=5"), progress);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("pooledRelativeMse", pooledRelativeMse(r.manifest()));
      s.put("artifactBytes", r.artifactBytes());
      s.put("ratio", r.ratio());
      for (TensorRecord t : r.manifest().tensors()) {
        if (!t.isPassthrough()) {
          s.put(t.spec().name(), t.relativeMse());
        }
      }
      m.put(scope, s);
      progress.report(String.format("%s codebooks: pooled relative MSE %.4f, ratio %.2fx", scope,
          pooledRelativeMse(r.manifest()), r.ratio()));
    }
    return m;
  }
}
