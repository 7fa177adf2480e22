package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.util.List;
import nnzip.config.Recipes;
import nnzip.subspace.SubspaceKind;
import org.junit.jupiter.api.Test;

/** subspace.model-lr: one number for every kind, or one per kind. */
class SubspaceModelLearningRateTest {

  private static double lr(List<String> sets, SubspaceKind kind) {
    Config recipe = Recipes.resolve(null, sets);
    return SubspaceTrain.Options.of(recipe, kind).trainingFromModel().optimizer().learningRate();
  }

  @Test
  void eachKindReadsItsOwnEntryAndANumberSetsThemAll() {
    for (SubspaceKind k : SubspaceKind.values()) {
      assertEquals(Recipes.resolve(null, List.of()).getDouble("subspace.model-lr." + k.label()), lr(List.of(), k),
          k.label());
      assertEquals(0.002, lr(List.of("subspace.model-lr=0.002"), k), k.label());
    }
    // One kind's entry set leaves the others at theirs.
    List<String> one = List.of("subspace.model-lr.structured=0.003");
    assertEquals(0.003, lr(one, SubspaceKind.STRUCTURED));
    assertEquals(lr(List.of(), SubspaceKind.BITS), lr(one, SubspaceKind.BITS));
    // The line from scratch keeps subspace.lr.
    assertEquals(Recipes.resolve(null, List.of()).getDouble("subspace.lr"), SubspaceTrain.Options.of(
        Recipes.resolve(null, List.of("subspace.model-lr=0.002")), SubspaceKind.BITS).training().optimizer()
        .learningRate());
  }

  @Test
  void anObjectSetMergesWithTheDefaultsAndABadKeyStaysAnError() {
    List<String> one = List.of("subspace.model-lr={bits=0.004}");
    assertEquals(0.004, lr(one, SubspaceKind.BITS));
    assertEquals(lr(List.of(), SubspaceKind.UNSTRUCTURED), lr(one, SubspaceKind.UNSTRUCTURED));
    String msg = assertThrows(UsageException.class, () -> lr(List.of("subspace.model-lr.structure=0.001"),
        SubspaceKind.STRUCTURED)).getMessage();
    assertTrue(msg.contains("unknown recipe key 'subspace.model-lr.structure'") && !msg.contains("\n"), msg);
    // Only a number stands for every kind, and only where every kind's default is a number.
    String text = assertThrows(UsageException.class, () -> lr(List.of("subspace.model-lr=fast"),
        SubspaceKind.BITS)).getMessage();
    assertTrue(text.contains("unknown recipe key 'subspace.model-lr'"), text);
    String object = assertThrows(UsageException.class, () -> lr(List.of("finetune.distill=0.5"),
        SubspaceKind.BITS)).getMessage();
    assertTrue(object.contains("finetune.distill") && !object.contains("\n"), object);
  }
}
