package nnzip.zoo;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import nnzip.Digests;
import nnzip.cli.UsageException;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.compress.CompressionSettings;
import nnzip.config.Recipes;
import nnzip.prune.PruneSettings;
import nnzip.train.TrainingSettings;

/**
 * A zoo model's recipe resolved and checked as {@code nnzip compress} checks its own, before any
 * model runs: a bad recipe is a bad manifest.
 *
 * @param model the model
 * @param settings the codec settings
 * @param training the finetuning settings
 * @param structured the structured-pruning settings
 * @param rendered the recipe text the artifact stores
 * @param sha256 SHA-256 of {@code rendered} and the data set: the recipe part of the model's fingerprint
 */
record ModelRecipe(ZooModel model, CompressionSettings settings, TrainingSettings training, PruneSettings structured,
    String rendered, String sha256) {

  /**
   * Resolves a model's recipe.
   *
   * @throws UsageException naming the model and the bad key or combination
   */
  static ModelRecipe of(ZooModel model) {
    try {
      Config recipe = Recipes.resolve(model.recipe(), model.overrides());
      CompressionSettings settings = Recipes.settings(recipe);
      TrainingSettings training = Recipes.training(recipe);
      PruneSettings structured = Recipes.pruneSettings(recipe);
      if (training.qatEpochs() > 0 && (settings.codec() != CodecKind.DP || settings.scope() == Scope.GLOBAL
          || settings.bits() > 8)) {
        throw new UsageException("finetune.qat needs codec = dp with dp.scope = tensor or channel and bits ≤ 8");
      }
      boolean trains = training.trains() || structured.prunes();
      if (trains && model.data() == null) {
        throw new UsageException("training (structured.keep < 1, finetune.*) needs data (e.g. data = fashion-mnist)");
      }
      if (!trains && model.data() != null) {
        throw new UsageException("data is only used for training; set finetune.epochs > 0 or structured.keep < 1");
      }
      String rendered = Recipes.render(recipe);
      String key = rendered + "\n# data = " + (model.data() == null ? "" : model.data()) + "\n";
      return new ModelRecipe(model, settings, training, structured, rendered,
          Digests.hex(Digests.sha256(key.getBytes(StandardCharsets.UTF_8))));
    } catch (UsageException e) {
      throw new UsageException("zoo model '" + model.name() + "': " + e.getMessage());
    }
  }

  /** Whether the model trains on its data set (structured pruning or finetuning). */
  boolean trains() {
    return training.trains() || structured.prunes();
  }
}
