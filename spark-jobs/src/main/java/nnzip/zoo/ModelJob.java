package nnzip.zoo;

import java.io.IOException;
import java.util.UUID;
import nnzip.Progress;
import nnzip.data.DataRef;
import nnzip.io.HadoopFiles;
import nnzip.job.CompressJob;
import nnzip.job.FinetuneJob;
import nnzip.job.PruneJob;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One zoo model through the passes of {@code nnzip compress} (structured pruning, finetuning, the
 * codec), in the calling thread, on a Spark context other models share. The same job calls with the
 * same arguments as {@code compress}, so the artifact is the same bytes as a lone compress's.
 */
final class ModelJob {
  private ModelJob() {}

  /**
   * What a model's run produced.
   *
   * @param result the compress job's result
   * @param accuracy test accuracy of the final model when it trained on data, else null
   */
  record Outcome(CompressJob.Result result, Double accuracy) {}

  /** Compresses {@code recipe.model()} into {@code out}, replacing it atomically. */
  static Outcome run(JavaSparkContext sc, ModelRecipe recipe, String out, Progress progress) throws IOException {
    ZooModel model = recipe.model();
    String in = model.in();
    org.apache.hadoop.fs.Path pruneDir = null;
    try {
      String modelIn = in;
      PruneJob.Outcome pruned = null;
      if (recipe.structured().prunes()) {
        pruneDir = HadoopFiles.qualify(out + ".tmp-structured-" + UUID.randomUUID());
        HadoopFiles.fileSystem(pruneDir.toString()).mkdirs(pruneDir);
        String prunedPath = new org.apache.hadoop.fs.Path(pruneDir, "pruned.onnx").toString();
        pruned = PruneJob.run(sc, recipe.structured(), recipe.training(), in, prunedPath, true,
            data(recipe), progress);
        modelIn = prunedPath;
      }
      FinetuneJob.Compressor compressor = (src, dst, overwrite, streams) -> CompressJob.run(sc,
          recipe.settings().withCodeStreams(streams), recipe.rendered(), src, in, dst, overwrite, progress);
      if (recipe.training().trains()) {
        FinetuneJob.Outcome tuned = FinetuneJob.run(sc, compressor, recipe.settings(), recipe.training(),
            recipe.rendered(), modelIn, out, true, data(recipe), progress);
        return new Outcome(tuned.result(), tuned.testAfter());
      }
      CompressJob.Result r = compressor.compress(modelIn, out, true, recipe.settings().codeStreams());
      return new Outcome(r, pruned == null ? null : pruned.testAfter());
    } finally {
      if (pruneDir != null) {
        FileSystem fs = HadoopFiles.fileSystem(pruneDir.toString());
        HadoopFiles.deleteQuietly(fs, pruneDir);
      }
    }
  }

  private static DataRef data(ModelRecipe recipe) {
    return DataRef.standard(recipe.model().data(), recipe.training().validation(), recipe.training().examples());
  }
}
