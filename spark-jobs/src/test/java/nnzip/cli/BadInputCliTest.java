package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input ends with one clear line, the documented exit code, and no output left behind. */
class BadInputCliTest {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void writeModel() throws IOException {
    model = Models.write(dir, "good.safetensors", 3, 0.02f);
  }

  /** Nothing named after the output may remain: no file, no temporary directory. */
  static void assertNoOutput(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(out.getFileName().toString())),
          "leftovers of " + out);
    }
  }

  static Path variant(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  static byte[] withHeader(String json, int dataBytes) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  static Stream<Arguments> corruptModels() throws IOException {
    byte[] good = Files.readAllBytes(Models.write(dir, "base.safetensors", 5, 0.03f));
    byte[] lying = good.clone();
    ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length * 4L);
    byte[] huge = good.clone();
    ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 62);
    return Stream.of(
        Arguments.of("truncated-in-data", Arrays.copyOf(good, good.length - 100)),
        Arguments.of("truncated-in-header", Arrays.copyOf(good, 40)),
        Arguments.of("shorter-than-length", Arrays.copyOf(good, 5)),
        Arguments.of("lying-header-length", lying),
        Arguments.of("huge-header-length", huge),
        Arguments.of("bad-json", withHeader("{\"w\": {\"dtype\": \"F32\", ", 16)),
        Arguments.of("overlapping-offsets", withHeader(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)),
        Arguments.of("offsets-out-of-range", withHeader(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8)),
        Arguments.of("shape-dtype-mismatch", withHeader(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)),
        Arguments.of("unknown-dtype", withHeader(
            "{\"a\":{\"dtype\":\"F7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptModels")
  void corruptModelExitsThreeAndWritesNothing(String name, byte[] bytes) throws IOException {
    Path in = variant(name + ".safetensors", bytes);
    Path out = dir.resolve(name + ".nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", in.toString(), "--out", out.toString(), "--master", "local[1]");
    assertEquals(Main.INVALID_INPUT, c.code(), c.err());
    assertTrue(c.errorLine().contains(name + ".safetensors"), "message names the file: " + c.errorLine());
    assertTrue(c.err().lines().filter(l -> l.startsWith("nnzip compress: error")).count() == 1, c.err());
    assertNoOutput(out);
  }

  @Test
  void missingInputExitsThree() throws IOException {
    Path out = dir.resolve("missing.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", dir.resolve("nope.safetensors").toString(), "--out", out.toString());
    assertEquals(Main.INVALID_INPUT, c.code());
    assertTrue(c.errorLine().contains("no such file") && c.errorLine().contains("nope.safetensors"), c.errorLine());
    assertNoOutput(out);
  }

  @Test
  void nonFiniteWeightIsRejectedNamingTheTensorUnlessAllowed() throws IOException {
    Path nan = Models.write(dir, "nan.safetensors", 9, Float.NaN);
    Path out = dir.resolve("nan.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", nan.toString(), "--out", out.toString(), "--master", "local[2]");
    assertEquals(Main.INVALID_INPUT, c.code(), c.err());
    assertTrue(c.errorLine().contains("'fc.weight'") && c.errorLine().contains("element 1234"), c.errorLine());
    assertNoOutput(out);

    CliRun ok = CliRun.of("compress", "--in", nan.toString(), "--out", out.toString(), "--set", "allow-non-finite=true",
        "--json");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("\"passthrough\""), ok.out());
  }

  @Test
  void unknownRecipeKeyExitsTwoAndOffersTheClosestKey() throws IOException {
    Path out = dir.resolve("key.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--set", "bitz=4");
    assertEquals(Main.USAGE, c.code());
    assertTrue(c.errorLine().endsWith("--set bitz=4: unknown recipe key 'bitz'; did you mean 'bits'?"), c.errorLine());
    assertNoOutput(out);
    CliRun far = CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--set", "zzzzzz=4");
    assertEquals(Main.USAGE, far.code());
    assertTrue(far.errorLine().contains("'zzzzzz'; valid keys: ") && far.errorLine().contains("codec"), far.errorLine());
    assertNoOutput(out);
  }

  @Test
  void invalidRecipeValuesExitTwoNamingTheKey() throws IOException {
    Path out = dir.resolve("val.nnz.safetensors");
    for (String[] kv : new String[][] {{"bits=0", "bits"}, {"scope=row", "scope"}, {"codec=zip", "codec"},
        {"bits=many", "bits"}, {"dp.bins=1", "dp.bins"}, {"aq.dim=5", "aq"}, {"aq.scope=row", "aq.scope"},
        {"entropy=zip", "entropy"}, {"finetune.prune.sparsity=1", "prune.sparsity"},
        {"finetune.prune.scope=row", "prune.scope"}, {"finetune.schedule=step", "schedule"},
        {"finetune.distill.alpha=2", "distill.alpha"}, {"passthrough.dp-bits=17", "dp-bits"},
        {"finetune.qat.epochs=-1", "qat.epochs"}}) {
      CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--set", kv[0]);
      assertEquals(Main.USAGE, c.code(), kv[0] + ": " + c.err());
      assertTrue(c.errorLine().contains(kv[1]), kv[0] + ": " + c.errorLine());
    }
    CliRun longer = CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--recipe",
        "prune-dp-3bit", "--set", "finetune.dp-net.lambda=0.001", "--set", "finetune.dp-net.epochs=21");
    assertEquals(Main.USAGE, longer.code(), longer.err());
    assertTrue(longer.errorLine().contains("dp-net.epochs (21) must be ≤ prune.epochs (20)"), longer.errorLine());
    CliRun qatLonger = CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--recipe",
        "prune-dp-3bit", "--set", "finetune.qat.epochs=21");
    assertEquals(Main.USAGE, qatLonger.code(), qatLonger.err());
    assertTrue(qatLonger.errorLine().contains("qat.epochs (21) must be ≤ prune.epochs (20)"), qatLonger.errorLine());
    for (String[] recipe : new String[][] {{"aq-2bit"}, {"dp-4bit", "dp.scope=global"}, {"dp-4bit", "bits=9"},
        {"uniform-4bit"}}) {
      List<String> args = new ArrayList<>(List.of("compress", "--in", model.toString(), "--out",
          out.toString(), "--data", "fashion-mnist", "--recipe", recipe[0], "--set", "finetune.qat.epochs=1"));
      if (recipe.length > 1) {
        args.addAll(List.of("--set", recipe[1]));
      }
      CliRun qat = CliRun.of(args.toArray(String[]::new));
      assertEquals(Main.USAGE, qat.code(), recipe[0] + ": " + qat.err());
      assertTrue(qat.errorLine().contains("finetune.qat needs codec = dp with dp.scope = tensor or channel"),
          qat.errorLine());
    }
    CliRun r = CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--recipe", "no-such-recipe");
    assertEquals(Main.USAGE, r.code());
    assertNoOutput(out);
  }

  @Test
  void existingOutputIsLeftUntouchedWithoutOverwrite() throws IOException {
    Path out = dir.resolve("exists.nnz.safetensors");
    byte[] before = "precious".getBytes(StandardCharsets.UTF_8);
    Files.write(out, before);
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", out.toString());
    assertEquals(Main.USAGE, c.code());
    assertTrue(c.errorLine().contains("already exists"), c.errorLine());
    assertArrayEquals(before, Files.readAllBytes(out));
    assertEquals(0, CliRun.of("compress", "--in", model.toString(), "--out", out.toString(), "--overwrite").code());
    assertTrue(Files.size(out) > 1000);
  }

  @Test
  void corruptedArtifactIsRejectedByDecompressAndNothingIsWritten() throws IOException {
    Path art = dir.resolve("flip.nnz.safetensors");
    assertEquals(0, CliRun.of("compress", "--in", model.toString(), "--out", art.toString()).code());
    try (RandomAccessFile f = new RandomAccessFile(art.toFile(), "rw")) {
      long pos = f.length() - 10; // inside the last stored entry
      f.seek(pos);
      int b = f.read();
      f.seek(pos);
      f.write(b ^ 0x5a);
    }
    Path out = dir.resolve("flip.safetensors");
    CliRun d = CliRun.of("decompress", "--in", art.toString(), "--out", out.toString());
    assertEquals(Main.INVALID_INPUT, d.code(), d.err());
    assertTrue(d.errorLine().contains("corrupt"), d.errorLine());
    assertNoOutput(out);
  }

  @Test
  void unknownCommandsAndOptionsExitTwo() {
    assertEquals(Main.USAGE, CliRun.of("squash").code());
    assertEquals(Main.USAGE, CliRun.of("compress", "--in", "a", "--frobnicate").code());
    assertEquals(Main.USAGE, CliRun.of("compress", "--in", "a").code());
  }
}
