package nnzip.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nnzip.cli.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipe errors say where the bad text is (file and line, or the --set) and offer the closest valid choice. */
class RecipesTest {
  @TempDir Path dir;

  private Path recipeFile(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private static String error(String recipe, String... sets) {
    return assertThrows(UsageException.class, () -> Recipes.resolve(recipe, List.of(sets))).getMessage();
  }

  @Test
  void unknownKeyInARecipeFileNamesTheFileTheLineAndTheClosestKey() throws Exception {
    Path f = recipeFile("mine.conf", "# my recipe\ncodec = dp\n\nbts = 4\n");
    assertEquals("recipe file " + f + ", line 4: unknown recipe key 'bts'; did you mean 'bits'?", error(f.toString()));
  }

  @Test
  void unknownNestedKeyOffersTheNestedKey() throws Exception {
    Path f = recipeFile("nested.conf", "dp {\n  scope = tensor\n  bns = 256\n}\n");
    assertEquals("recipe file " + f + ", line 3: unknown recipe key 'dp.bns'; did you mean 'dp.bins'?",
        error(f.toString()));
  }

  @Test
  void badHoconInARecipeFileNamesTheFileAndTheLine() throws Exception {
    Path f = recipeFile("broken.conf", "codec = dp\nbits = 4\naq {\n  dim = 8 ]\n}\nseed = 1\n");
    String msg = error(f.toString());
    assertTrue(msg.startsWith("recipe file " + f + ", line 4: "), msg);
    assertTrue(!msg.contains("\n"), msg);
  }

  @Test
  void wrongTypeInARecipeFileNamesTheLine() throws Exception {
    Path f = recipeFile("types.conf", "codec = dp\nbits = many\n");
    String msg = assertThrows(UsageException.class, () -> Recipes.settings(Recipes.resolve(f.toString(), List.of())))
        .getMessage();
    assertTrue(msg.startsWith("recipe file " + f + ", line 2: ") && msg.contains("bits"), msg);
  }

  @Test
  void unknownKeyInASetNamesTheSet() {
    assertEquals("--set bts=4: unknown recipe key 'bts'; did you mean 'bits'?", error(null, "bts=4"));
    assertEquals("--set aq.dimm=4: unknown recipe key 'aq.dimm'; did you mean 'aq.dim'?", error("aq-2bit", "aq.dimm=4"));
  }

  @Test
  void unknownRecipeNameOffersTheClosestBundledRecipe() {
    assertEquals("unknown recipe 'dp-4bt'; did you mean 'dp-4bit'?", error("dp-4bt"));
    String far = error("no-such-recipe-anywhere");
    assertTrue(far.contains("not a file and not one of") && far.contains("uniform-8bit"), far);
  }

  @Test
  void gateOptimizerParsesAndDefaultsToAdam() {
    var defaults = Recipes.pruneSettings(Recipes.resolve(null, List.of()));
    assertEquals(nnzip.train.Optimizer.Kind.ADAM, defaults.gateOptimizer());
    assertEquals(nnzip.train.Optimizer.adam(defaults.gateLearningRate()), defaults.gateRule());
    var sgd = Recipes.pruneSettings(Recipes.resolve(null, List.of("structured.gate-optimizer=SGD",
        "structured.gate-lr=0.5")));
    assertEquals(nnzip.train.Optimizer.Kind.SGD, sgd.gateOptimizer());
    assertEquals(new nnzip.train.Optimizer(nnzip.train.Optimizer.Kind.SGD, 0.5, 0, 0, 1e-8), sgd.gateRule(),
        "plain SGD, no momentum");
    var recipe = Recipes.pruneSettings(Recipes.resolve("dirichlet-dp-3bit", List.of()));
    assertEquals(nnzip.train.Optimizer.Kind.ADAM, recipe.gateOptimizer());
    assertEquals(0.05, recipe.gateLearningRate());
  }

  @Test
  void gateScoreNamesTakeAHyphen() {
    assertEquals(nnzip.prune.dirichlet.ChannelSelection.GateScore.GATE,
        Recipes.pruneSettings(Recipes.resolve(null, List.of("structured.gate-score=GATE"))).gateScore());
    assertEquals(nnzip.prune.dirichlet.ChannelSelection.GateScore.GATED_L1, Recipes.pruneSettings(
        Recipes.resolve(null, List.of("structured.gate-score=gated-l1"))).gateScore());
    String bad = assertThrows(UsageException.class, () -> Recipes.pruneSettings(
        Recipes.resolve(null, List.of("structured.gate-score=gated")))).getMessage();
    assertEquals("--set structured.gate-score=gated: recipe key structured.gate-score: 'gated' is not one of gate,"
        + " gated-l1; did you mean 'gate'?", bad);
  }

  @Test
  void badGateOptimizerEndsInOneLineNamingTheSetAndTheClosestChoice() throws Exception {
    String set = assertThrows(UsageException.class, () -> Recipes.pruneSettings(
        Recipes.resolve(null, List.of("structured.gate-optimizer=adma")))).getMessage();
    assertEquals("--set structured.gate-optimizer=adma: recipe key structured.gate-optimizer: 'adma' is not one of"
        + " adam, sgd; did you mean 'adam'?", set);
    Path f = recipeFile("gates.conf", "structured {\n  gate-optimizer = rmsprop\n}\n");
    String file = assertThrows(UsageException.class, () -> Recipes.pruneSettings(
        Recipes.resolve(f.toString(), List.of()))).getMessage();
    assertEquals("recipe file " + f + ", line 2: recipe key structured.gate-optimizer: 'rmsprop' is not one of adam,"
        + " sgd", file);
  }

  @Test
  void renderedRecipeBecomesTheSameJsonObject() throws Exception {
    var config = Recipes.resolve("dp-4bit", List.of("seed=7", "passthrough.patterns=[\"a.*\"]"));
    JsonNode json = new ObjectMapper().readTree(Recipes.toJson(Recipes.render(config)));
    assertEquals(config.getString("codec"), json.get("codec").asText());
    assertEquals(config.getInt("bits"), json.get("bits").asInt());
    assertEquals(7, json.get("seed").asInt());
    assertEquals("a.*", json.get("passthrough").get("patterns").get(0).asText());
    assertEquals(config.getInt("aq.dim"), json.get("aq").get("dim").asInt());
    assertTrue(!json.has("partitions"), "execution-only keys are not part of the stored recipe");
  }

  @Test
  void storedRecipeHoldsOnlyTheKeysThatDifferFromTheReferenceAndReadsBackWhole() throws Exception {
    var config = Recipes.resolve("prune-dp-3bit", List.of("finetune.epochs=3"));
    String stored = Recipes.render(config);
    assertTrue(stored.startsWith(Recipes.DELTA_MARK), stored);
    assertTrue(!stored.contains("aq") && !stored.contains("seed") && stored.contains("sparsity"), stored);
    // Read back, the delta is the whole resolved recipe: the same JSON as every key rendered in full.
    ObjectMapper json = new ObjectMapper();
    String full = config.withoutPath("partitions").root().render(
        com.typesafe.config.ConfigRenderOptions.concise().setJson(false));
    assertEquals(json.readTree(Recipes.toJson(full)), json.readTree(Recipes.toJson(stored)));
    assertTrue(stored.length() * 2 < full.length(), stored.length() + " vs " + full.length() + " characters");
  }
}
