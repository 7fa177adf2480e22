package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nnzip.config.Recipes;
import nnzip.subspace.SubspaceKind;
import nnzip.subspace.SubspaceSettings;
import org.junit.jupiter.api.Test;

/**
 * How a line draws its points reaches its settings from the recipe (subspace.alpha-power,
 * subspace.points-per-step), and values out of range are one-line usage errors naming the key.
 */
class SubspaceDrawRecipeTest {

  private static SubspaceSettings settings(List<String> sets) {
    return SubspaceTrain.Options.of(Recipes.resolve(null, sets), SubspaceKind.UNSTRUCTURED).settings();
  }

  private static void refused(String set, String key, String value) {
    String msg = assertThrows(UsageException.class, () -> settings(List.of(set))).getMessage();
    assertTrue(msg.contains(key) && msg.contains(value) && !msg.contains("\n"), msg);
  }

  @Test
  void theRecipeSetsThePowerAndRefusesOneBelowOne() {
    assertEquals(Recipes.resolve(null, List.of()).getDouble("subspace.alpha-power"), settings(List.of()).alphaPower());
    assertEquals(2.0, settings(List.of("subspace.alpha-power=2")).alphaPower());
    refused("subspace.alpha-power=0.5", "alpha-power", "0.5");
  }

  @Test
  void theRecipeSetsThePointsPerStepAndRefusesThemOutOfRange() {
    assertEquals(Recipes.resolve(null, List.of()).getInt("subspace.points-per-step"),
        settings(List.of()).pointsPerStep());
    assertEquals(3, settings(List.of("subspace.points-per-step=3")).pointsToTrain());
    refused("subspace.points-per-step=0", "points-per-step", "0");
    refused("subspace.points-per-step=17", "points-per-step", "17");
  }
}
