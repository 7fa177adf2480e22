package nnzip.zoo;

import java.io.IOException;
import nnzip.Progress;
import nnzip.job.KnownDigest;
import nnzip.job.ModelPipeline;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One zoo model through {@link ModelPipeline}, the passes of {@code nnzip compress}, in the calling
 * thread, on a Spark context other models share; so the artifact is the same bytes as a lone
 * compress's.
 */
final class ModelJob {
  private ModelJob() {}

  /**
   * Compresses {@code recipe.model()} into {@code out}, replacing it atomically.
   *
   * @param source the source's digest from the zoo's check, which the provenance reuses
   */
  static ModelPipeline.Outcome run(JavaSparkContext sc, ModelRecipe recipe, KnownDigest source, String out,
      Progress progress) throws IOException {
    return new ModelPipeline(recipe.settings(), recipe.training(), recipe.structured(), recipe.rendered())
        .run(sc, recipe.model().in(), source, out, true, recipe.model().data(), progress);
  }
}
