package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nnzip.config.Recipes;
import nnzip.subspace.SubspaceKind;
import org.junit.jupiter.api.Test;

/** subspace.alpha-power reaches the line's settings from the recipe, and a power below 1 is refused. */
class SubspaceAlphaPowerRecipeTest {

  private static double power(List<String> sets) {
    return SubspaceTrain.Options.of(Recipes.resolve(null, sets), SubspaceKind.UNSTRUCTURED).settings().alphaPower();
  }

  @Test
  void theRecipeSetsThePowerAndRefusesOneBelowOne() {
    assertEquals(Recipes.resolve(null, List.of()).getDouble("subspace.alpha-power"), power(List.of()));
    assertEquals(2.0, power(List.of("subspace.alpha-power=2")));
    String msg = assertThrows(UsageException.class, () -> power(List.of("subspace.alpha-power=0.5")))
        .getMessage();
    assertTrue(msg.contains("alpha-power") && msg.contains("0.5") && !msg.contains("\n"), msg);
  }
}
