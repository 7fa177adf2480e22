package nnzip.job;

import java.io.IOException;
import java.util.UUID;
import nnzip.Progress;
import nnzip.compress.CompressionSettings;
import nnzip.data.DataRef;
import nnzip.io.HadoopFiles;
import nnzip.prune.PruneSettings;
import nnzip.train.TrainingSettings;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The passes of one model, in order: structured pruning (channels removed, so the codec sees the
 * smaller graph), finetuning with the codes frozen, the codec. {@code nnzip compress} and each model
 * of {@code nnzip zoo} run this one sequence, so a zoo artifact is the same bytes as a lone compress's.
 *
 * @param settings the codec settings
 * @param training the finetuning settings ({@code trains()} false: no finetuning)
 * @param structured the structured-pruning settings ({@code prunes()} false: no pruning)
 * @param rendered the recipe text the artifact stores
 */
public record ModelPipeline(CompressionSettings settings, TrainingSettings training, PruneSettings structured,
    String rendered) {

  /**
   * What the passes produced.
   *
   * @param result the codec's result (the artifact)
   * @param pruned the structured stage's outcome, or null when it did not run
   * @param tuned the finetuning's outcome, or null when it did not run
   */
  public record Outcome(CompressJob.Result result, PruneJob.Outcome pruned, FinetuneJob.Outcome tuned) {
    /** Test accuracy of the final model when it trained on data (finetuned, else pruned), else null. */
    public Double accuracy() {
      return tuned != null ? Double.valueOf(tuned.testAfter()) : pruned != null ? Double.valueOf(pruned.testAfter()) : null;
    }
  }

  /**
   * Runs the passes of {@code in} into the artifact {@code out}, on {@code sc}.
   *
   * @param in the model (any Hadoop path); the artifact's provenance names it even when pruned
   * @param out the artifact, written atomically
   * @param overwrite replace {@code out} if it exists
   * @param data the data set the training stages use (null when nothing trains)
   * @param progress where the passes report
   * @throws IOException if a model cannot be read or the artifact written
   * @throws nnzip.InvalidInputException for a bad model
   */
  public Outcome run(JavaSparkContext sc, String in, String out, boolean overwrite, String data, Progress progress)
      throws IOException {
    return run(sc, in, null, out, overwrite, data, progress);
  }

  /**
   * As above, with the digest of {@code in} when the caller already has it.
   *
   * @param inDigest the provenance's digest of {@code in} (the zoo's skip check computed it), or null:
   *     digested when the artifact is assembled
   */
  public Outcome run(JavaSparkContext sc, String in, KnownDigest inDigest, String out, boolean overwrite, String data,
      Progress progress) throws IOException {
    Path pruneDir = null;
    try {
      String modelIn = in;
      PruneJob.Outcome pruned = null;
      if (structured.prunes()) {
        pruneDir = HadoopFiles.qualify(out + ".tmp-structured-" + UUID.randomUUID());
        HadoopFiles.fileSystem(pruneDir.toString()).mkdirs(pruneDir);
        String prunedPath = new Path(pruneDir, "pruned.onnx").toString();
        pruned = PruneJob.run(sc, structured, training, in, prunedPath, true, dataRef(data), progress);
        modelIn = prunedPath;
      }
      // The provenance names the user's model, not the pruned temporary one.
      FinetuneJob.Compressor compressor = (src, dst, replace, streams) ->
          CompressJob.run(sc, settings.withCodeStreams(streams), rendered, src, in, inDigest, dst, replace, progress);
      if (training.trains()) {
        FinetuneJob.Outcome tuned = FinetuneJob.run(sc, compressor, settings, training, rendered, modelIn, out,
            overwrite, dataRef(data), progress);
        return new Outcome(tuned.result(), pruned, tuned);
      }
      return new Outcome(compressor.compress(modelIn, out, overwrite, settings.codeStreams()), pruned, null);
    } finally {
      if (pruneDir != null) {
        HadoopFiles.deleteQuietly(HadoopFiles.fileSystem(pruneDir.toString()), pruneDir);
      }
    }
  }

  private DataRef dataRef(String data) {
    return DataRef.standard(data, training.validation(), training.examples());
  }
}
