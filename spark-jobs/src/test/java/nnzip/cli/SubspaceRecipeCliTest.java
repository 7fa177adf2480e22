package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import nnzip.config.Recipes;
import nnzip.subspace.SubspaceKind;
import org.junit.jupiter.api.Test;

/** Recipes for lines: train --subspace and bench subspace take --recipe, applied before --set. */
class SubspaceRecipeCliTest {

  private static SubspaceTrain.Options options(String recipe, List<String> sets, SubspaceKind kind) {
    return SubspaceTrain.Options.of(Recipes.resolve(recipe, sets), kind);
  }

  @Test
  void everyRecipeFileUnderConfIsBundledAndResolves() throws Exception {
    TreeSet<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(Path.of("..", "conf", "recipes"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf"))
          .forEach(n -> files.add(n.substring(0, n.length() - ".conf".length())));
    }
    assertEquals(files, new TreeSet<>(Recipes.bundledNames()));
    for (String name : files) {
      Recipes.resolve(name, List.of()); // throws a UsageException naming the key that does not exist
    }
  }

  @Test
  void theLineRecipesSetWhatTheirFilesSayAndSetAppliesAfterThem() {
    SubspaceTrain.Options structured = options("line-structured", List.of(), SubspaceKind.STRUCTURED);
    assertEquals(4, structured.trainingFromModel().epochs());
    assertEquals(5, structured.settingsFromModel().pointsPerStep());
    assertEquals(24000, structured.trainingFromModel().examples());
    assertEquals(0.5, structured.trainingFromModel().distillation().alpha());
    SubspaceTrain.Options unstructured = options("line-unstructured", List.of(), SubspaceKind.UNSTRUCTURED);
    assertEquals(8, unstructured.trainingFromModel().epochs());
    assertEquals(0.2, unstructured.settingsFromModel().endpointProbability());
    assertNotEquals(options(null, List.of(), SubspaceKind.UNSTRUCTURED).settings().alphaPower(),
        unstructured.settings().alphaPower());
    assertEquals(0.5, unstructured.trainingFromModel().distillation().alpha());
    assertEquals(6, options("line-structured", List.of("subspace.epochs=6"), SubspaceKind.STRUCTURED)
        .trainingFromModel().epochs());
  }

  @Test
  void aRecipeWithoutSubspaceOrAnUnknownOneIsAOneLineUsageError() {
    CliRun plain = CliRun.of("train", "--arch", "lenet5", "--out", "x.onnx", "--recipe", "line-structured");
    assertNotEquals(0, plain.code());
    assertTrue(plain.errorLine().contains("--recipe") && plain.errorLine().contains("--subspace"), plain.err());
    CliRun unknown = CliRun.of("train", "--init", "m.onnx", "--subspace", "bits", "--out", "s.nnz.safetensors",
        "--recipe", "line-structurd");
    assertNotEquals(0, unknown.code());
    assertTrue(unknown.errorLine().contains("line-structured"), unknown.err());
    CliRun bench = CliRun.of("bench", "subspace", "--recipe", "no-such-recipe");
    assertNotEquals(0, bench.code());
    assertTrue(bench.errorLine().contains("no-such-recipe"), bench.err());
  }
}
