package nnzip.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.interop.OcrFixtures.OcrModel;
import nnzip.interop.OrtRunner.Output;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lossless interop on public Paddle2ONNX models (weights in Constant nodes only): nnzip finds every
 * weight, and {@code codec=passthrough} then {@code decompress --format onnx} gives a model whose
 * ONNX Runtime outputs are bitwise those of the original file.
 */
class PaddleOcrLosslessInteropTest {
  static final long SEED = 20_240_501L;

  @TempDir static Path dir;
  private static final Map<OcrModel, Compressed> ARTIFACTS = new EnumMap<>(OcrModel.class);

  /** A compress run: the artifact and the {@code compress --json} report. */
  record Compressed(Path artifact, JsonNode report) {}

  /** The passthrough artifact of a model, compressed once per class run. */
  static synchronized Compressed passthrough(OcrModel m) {
    return ARTIFACTS.computeIfAbsent(m, k -> {
      Path out = dir.resolve(k.name().toLowerCase() + ".lossless.nnz.safetensors");
      Cli c = Cli.ok("compress", "--in", k.path().toString(), "--out", out.toString(), "--set", "codec=passthrough",
          "--json", "--master", "local[2]");
      return new Compressed(out, c.json());
    });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(OcrModel.class)
  void inspectListsEveryFloatWeightOfTheModelIncludingThoseInConstantNodes(OcrModel m) throws Exception {
    WeightCensus census = WeightCensus.of(m.path());
    // What makes this model a test of Constant-node weights: Paddle2ONNX leaves no initializer.
    assertEquals(0, census.initializers(), "Paddle2ONNX export keeps no initializers");
    assertTrue(census.constants() > 200, "hundreds of weights in Constant nodes: " + census);

    JsonNode inspect = Cli.ok("inspect", "--in", passthrough(m).artifact().toString(), "--json").json();
    List<String> floatNames = new ArrayList<>();
    long floatElements = 0;
    for (JsonNode t : inspect.get("tensors")) {
      assertEquals("passthrough", t.get("codec").asText(), t.get("name").asText());
      if (WeightCensus.isFloatDtype(t.get("dtype").asText())) {
        floatNames.add(t.get("name").asText());
        long n = 1;
        for (JsonNode d : t.get("shape")) {
          n *= d.asLong();
        }
        floatElements += n;
      }
    }
    System.out.printf("[interop] %s: %d float weights (%d elements) in %d Constant nodes; manifest lists %d tensors,"
        + " %d of them float%n", m, census.floatWeights(), census.floatElements(), census.constants(),
        inspect.get("tensors").size(), floatNames.size());
    assertEquals(census.floatWeights(), floatNames.size(), "float weights listed by inspect");
    assertEquals(census.floatElements(), floatElements, "float weight elements listed by inspect");
    Set<String> listed = new HashSet<>(floatNames);
    for (String name : census.topLevelNames()) {
      assertTrue(listed.contains(name), "weight '" + name + "' listed by inspect");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(OcrModel.class)
  void losslessRoundTripGivesBitwiseIdenticalOnnxRuntimeOutputs(OcrModel m) throws Exception {
    Path restored = dir.resolve(m.name().toLowerCase() + ".lossless.onnx");
    Cli.ok("decompress", "--in", passthrough(m).artifact().toString(), "--out", restored.toString(), "--format", "onnx");

    WeightCensus before = WeightCensus.of(m.path());
    WeightCensus after = WeightCensus.of(restored);
    assertEquals(before, after, "same graph, with the weights back in their Constant nodes");
    // Stronger: the restored protobuf parses to the same message (the file bytes may differ in encoding).
    assertTrue(ModelProto.parseFrom(Files.readAllBytes(m.path())).equals(ModelProto.parseFrom(Files.readAllBytes(restored))),
        "restored ModelProto equals the original");

    SyntheticText.Input in = SyntheticText.forModel(m, SEED);
    Output expected = OrtRunner.run(m.path(), in.values(), in.shape());
    Output actual = OrtRunner.run(restored, in.values(), in.shape());
    assertArrayEquals(expected.shape(), actual.shape(), "output shape");
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : expected.values()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(max > min, "the reference output is not constant, so the comparison means something");
    int differing = 0;
    for (int i = 0; i < expected.values().length; i++) {
      if (Float.floatToRawIntBits(expected.values()[i]) != Float.floatToRawIntBits(actual.values()[i])) {
        differing++;
      }
    }
    System.out.printf("[interop] %s lossless: restored file %s the original's bytes; %d of %d outputs differ%n", m,
        Arrays.equals(Files.readAllBytes(m.path()), Files.readAllBytes(restored)) ? "has" : "differs from",
        differing, expected.values().length);
    assertEquals(0, differing, "outputs bitwise identical to the original's");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(OcrModel.class)
  void reportedRatioIsOriginalFileBytesOverArtifactFileBytes(OcrModel m) throws Exception {
    Compressed c = passthrough(m);
    RatioCheck.assertRatio(m.path(), c.artifact(), c.report(), m + " passthrough");
  }
}
