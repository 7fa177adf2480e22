package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.cli.UsageException;
import nnzip.config.Recipes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooManifestTest {
  @TempDir Path dir;

  private ZooManifest read(String text) throws Exception {
    Path f = dir.resolve("zoo.conf");
    Files.writeString(f, text);
    return ZooManifest.read(f);
  }

  @Test
  void defaultsApplyToEveryModelAndModelKeysWin() throws Exception {
    ZooManifest m = read("""
        out = zoo-out
        parallel-models = 3
        defaults { recipe = dp-4bit, set { bits = 4, seed = 7 } }
        models = [
          { name = a, in = a.safetensors }
          { name = b, in = /abs/b.onnx, recipe = uniform-8bit, set { seed = 9, finetune.epochs = 1 }, data = fashion-mnist }
        ]
        """);
    assertEquals(dir.resolve("zoo-out"), m.out());
    assertEquals(3, m.settings().parallelModels());
    assertEquals(Recipes.zooReference().getInt("retries"), m.settings().retries(), "retries from reference.conf");
    ZooModel a = m.models().get(0);
    assertEquals(dir.resolve("a.safetensors").toString(), a.in(), "relative to the manifest's folder");
    assertEquals("dp-4bit", a.recipe());
    assertEquals(List.of("bits=4", "seed=7"), a.overrides());
    assertNull(a.data());
    ZooModel b = m.models().get(1);
    assertEquals("/abs/b.onnx", b.in());
    assertEquals("uniform-8bit", b.recipe());
    assertEquals(List.of("bits=4", "finetune.epochs=1", "seed=9"), b.overrides());
    assertEquals("fashion-mnist", b.data());
  }

  @Test
  void anUnknownKeyIsAUsageErrorWithASuggestion() {
    UsageException e = assertThrows(UsageException.class, () -> read("""
        out = o
        paralel-models = 2
        models = []
        """));
    assertTrue(e.getMessage().contains("unknown key 'paralel-models'; did you mean 'parallel-models'?"), e.getMessage());
    UsageException m = assertThrows(UsageException.class, () -> read("out = o\nmodels = [ { name = a, in = x, recipie = dp-4bit } ]"));
    assertTrue(m.getMessage().contains("models[0]: unknown key 'recipie'; did you mean 'recipe'?"), m.getMessage());
  }

  @Test
  void missingOrWronglyTypedValuesAreUsageErrors() {
    assertThrows(UsageException.class, () -> read("models = []"));
    assertThrows(UsageException.class, () -> read("out = o\nmodels = [ { name = a } ]"));
    assertThrows(UsageException.class, () -> read("out = o\nparallel-models = many\nmodels = []"));
    UsageException e = assertThrows(UsageException.class, () -> read("out = o\nparallel-models = 0\nmodels = []"));
    assertTrue(e.getMessage().contains("parallel-models must be in 1..64, got 0"), e.getMessage());
    assertThrows(UsageException.class, () -> ZooManifest.read(dir.resolve("absent.conf")));
  }

  @Test
  void namesThatCouldLeaveTheOutputDirectoryAreRefused() {
    for (String bad : List.of("\"..\"", "\"../x\"", "\"a/b\"", "\"/etc\"", "\".hidden\"", "\"\"")) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> read("out = o\nmodels = [ { name = " + bad + ", in = x } ]"), bad);
      assertTrue(e.getMessage().startsWith("zoo model name"), e.getMessage());
    }
    assertTrue(assertThrows(InvalidInputException.class, () -> read("out = o\nmodels = [ { name = \"../x\", in = x } ]"))
        .getMessage().contains("contains '..'"));
  }

  @Test
  void duplicateNamesAreRefused() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> read("out = o\nmodels = [ { name = a, in = x }, { name = a, in = y } ]"));
    assertTrue(e.getMessage().contains("duplicate model name 'a'"), e.getMessage());
  }

  @Test
  void zooSettingsAreNoRecipeKeys() {
    UsageException e = assertThrows(UsageException.class, () -> Recipes.resolve(null, List.of("zoo.retries=3")));
    assertTrue(e.getMessage().contains("unknown recipe key 'zoo.retries'"), e.getMessage());
  }

  @Test
  void aBadRecipeNamesTheModel() throws Exception {
    ZooManifest m = read("out = o\nmodels = [ { name = a, in = x, set { bist = 4 } } ]");
    UsageException e = assertThrows(UsageException.class, () -> ModelRecipe.of(m.models().get(0)));
    assertTrue(e.getMessage().startsWith("zoo model 'a': ") && e.getMessage().contains("did you mean 'bits'"),
        e.getMessage());
  }

  @Test
  void theRecipeDigestFollowsTheResolvedRecipeAndTheData() throws Exception {
    ZooManifest m = read("""
        out = o
        models = [
          { name = a, in = x, recipe = uniform-8bit }
          { name = b, in = x }
          { name = c, in = x, set { bits = 4 } }
          { name = d, in = x, set { partitions = 3 } }
        ]
        """);
    List<String> d = m.models().stream().map(ModelRecipe::of).map(ModelRecipe::sha256).toList();
    // uniform-8bit is reference.conf's own settings; partitions never changes the artifact.
    assertEquals(d.get(1), d.get(3));
    assertTrue(!d.get(2).equals(d.get(1)));
    assertEquals(ModelRecipe.of(m.models().get(0)).rendered().equals(ModelRecipe.of(m.models().get(1)).rendered()),
        d.get(0).equals(d.get(1)), "equal digests exactly when the stored recipes are equal");
  }
}
