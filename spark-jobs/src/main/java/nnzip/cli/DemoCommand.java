package nnzip.cli;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactRestorer;
import nnzip.artifact.TensorRecord;
import nnzip.config.Recipes;
import nnzip.data.Dataset;
import nnzip.data.FashionMnist;
import nnzip.demo.ReferenceModel;
import nnzip.io.HadoopFiles;
import nnzip.job.CompressJob;
import nnzip.job.SparkSessions;
import nnzip.report.CompressionTable;
import nnzip.train.FloatTensor;
import nnzip.train.Mlp;
import nnzip.train.MlpTrainer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code nnzip demo}: trains (once, cached) a 784-300-100-10 MLP on Fashion-MNIST, compresses its
 * ONNX export on embedded Spark, prints the per-tensor table, and evaluates test accuracy before
 * and after with the weights decoded from the artifact.
 */
final class DemoCommand implements Command {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "train a Fashion-MNIST MLP (cached), compress it on local[*], print the table and accuracy";
  }

  @Override
  public String help() {
    return """
        usage: nnzip demo [--recipe NAME|FILE] [--set key=value]... [--out-dir DIR] [--epochs N] [--master URL]

          Trains a 784-300-100-10 MLP on Fashion-MNIST (Debian package dataset-fashion-mnist) with
          ND4J/SameDiff on first use and caches it ($NNZIP_CACHE or ~/.cache/nnzip) as ONNX and
          safetensors. Then compresses the ONNX model on embedded Spark (local[*]) with the recipe
          (default uniform-4bit), prints the per-tensor table, decodes the weights from the artifact
          and reports test accuracy before and after. Also writes the restored, runnable ONNX model.

          --recipe R      recipe for the compression (default uniform-4bit)
          --set k=v       override a recipe key (repeatable)
          --out-dir DIR   where the artifact and the restored model go (default nnzip-demo)
          --epochs N      training epochs on first use (default 3)
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--recipe", "--set", "--out-dir", "--epochs", "--master"), Set.of());
    Config recipe = Recipes.resolve(a.get("--recipe") != null ? a.get("--recipe") : "uniform-4bit", a.all("--set"));
    MlpTrainer.Params params = MlpTrainer.Params.defaults().withEpochs(a.getInt("--epochs", 3)).withSeed(42);
    Path outDir = Path.of(a.get("--out-dir") != null ? a.get("--out-dir") : "nnzip-demo");
    Files.createDirectories(outDir);
    nnzip.Progress progress = m -> err.println("[nnzip] " + m);

    Path onnx = ReferenceModel.onnx(params, progress);
    Dataset test = FashionMnist.test();
    Mlp original = Mlp.fromTensors(ReferenceModel.readTensors(onnx));
    double before = original.accuracy(test);

    Path artifactPath = outDir.resolve("fashion-mlp.nnz.safetensors");
    SparkSession spark = SparkSessions.create(a.get("--master"), "nnzip demo");
    CompressJob.Result r;
    try {
      r = CompressJob.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), Recipes.settings(recipe),
          Recipes.render(recipe), onnx.toString(), artifactPath.toString(), true, progress);
    } finally {
      spark.stop();
    }
    out.println();
    out.println("model: " + onnx.getFileName() + " (784-300-100-10 MLP trained on Fashion-MNIST)");
    CompressionTable.print(out, r.manifest(), r.sourceBytes(), r.artifactBytes());

    FileSystem fs = HadoopFiles.fileSystem(HadoopFiles.qualify(artifactPath.toString()).toString());
    Artifact artifact = Artifact.open(fs, HadoopFiles.qualify(artifactPath.toString()));
    artifact.verify();
    Map<String, FloatTensor> decoded = new LinkedHashMap<>();
    for (TensorRecord t : artifact.manifest().tensors()) {
      byte[] bytes = ArtifactRestorer.restoreToBytes(artifact, t);
      float[] v = new float[(int) t.spec().numElements()];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      decoded.put(t.spec().name(), new FloatTensor(t.spec(), v));
    }
    double after = Mlp.fromTensors(decoded).accuracy(test);
    Path restored = outDir.resolve("fashion-mlp.restored.onnx");
    int code = Main.run(new String[] {"decompress", "--in", artifactPath.toString(), "--out", restored.toString(),
        "--format", "onnx", "--overwrite"}, out, err);
    if (code != Main.OK) {
      return code;
    }
    out.printf("test accuracy (10,000 Fashion-MNIST test images): original %.2f%%, from artifact %.2f%% (%+.2f pp)%n",
        100 * before, 100 * after, 100 * (after - before));
    out.println("artifact: " + artifactPath + "   restored ONNX: " + restored);
    return Main.OK;
  }
}
