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
    return settings(sets, SubspaceKind.UNSTRUCTURED);
  }

  private static SubspaceSettings settings(List<String> sets, SubspaceKind kind) {
    return SubspaceTrain.Options.of(Recipes.resolve(null, sets), kind).settings();
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
  void theRecipeSetsThePointsPerStepPerKindOrForAllAndRefusesThemOutOfRange() {
    com.typesafe.config.Config defaults = Recipes.resolve(null, List.of());
    for (SubspaceKind kind : SubspaceKind.values()) {
      assertEquals(defaults.getInt("subspace.points-per-step." + kind.label()),
          settings(List.of(), kind).pointsPerStep(), kind.label());
      assertEquals(4, settings(List.of("subspace.points-per-step=4"), kind).pointsPerStep(), kind.label());
    }
    List<String> one = List.of("subspace.points-per-step.structured=5");
    assertEquals(5, settings(one, SubspaceKind.STRUCTURED).pointsToTrain());
    assertEquals(defaults.getInt("subspace.points-per-step.bits"), settings(one, SubspaceKind.BITS).pointsPerStep());
    refused("subspace.points-per-step=0", "points-per-step", "0");
    refused("subspace.points-per-step.unstructured=17", "points-per-step", "17");
  }
}
