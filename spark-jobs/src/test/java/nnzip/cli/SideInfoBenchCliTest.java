package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import nnzip.model.Architecture;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench side-info} on a small ONNX model with no fixtures present: the fixtures are skipped
 * with a note, and the model's parts add up to the artifact's size on disk, its blob members to
 * the blob, its ratio and weight count agree with the files and the ONNX model themselves.
 */
class SideInfoBenchCliTest {
  @TempDir Path dir;

  @Test
  void partsAddUpToTheArtifactFileAndMissingFixturesAreSkipped() throws Exception {
    Onnx.ModelProto model = Architecture.MLP_300_100.build(new int[] {1, 28, 28}, 10, 7);
    Path source = dir.resolve("mlp.onnx");
    Files.write(source, model.toByteArray());
    Path json = dir.resolve("side-info.json");
    CliRun c = CliRun.of("bench", "side-info", "--fixtures", Files.createDirectories(dir.resolve("none")).toString(),
        "--dir", dir.resolve("work").toString(), "--model", source.toString(), "--out", json.toString());
    assertEquals(Main.OK, c.code(), c.err());
    JsonNode r = new ObjectMapper().readTree(Files.readString(json));
    assertEquals(1, r.get("schemaVersion").asInt());

    JsonNode models = r.get("models");
    assertEquals(5, models.size(), models.toString());
    int skipped = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getKey().equals("mlp.onnx")) {
        assertTrue(m.getValue().get("skipped").asText().contains("missing"), m.toString());
        skipped++;
      }
    }
    assertEquals(4, skipped, "the three PaddleOCR models and the transformer");

    JsonNode m = models.get("mlp.onnx");
    assertFalse(m.has("skipped"), m.toString());
    Path artifact = Path.of(m.get("artifact").asText());
    long fileBytes = Files.size(artifact);
    long sum = 0;
    for (JsonNode part : m.get("parts")) {
      assertTrue(part.asLong() >= 0, m.get("parts").toString());
      sum += part.asLong();
    }
    assertEquals(fileBytes, sum, "the parts add up to the artifact file: " + m.get("parts"));
    long members = 0;
    for (JsonNode part : m.get("blob")) {
      members += part.asLong();
    }
    assertEquals(m.get("parts").get("blob").asLong(), members, "the blob's members tile it");
    // The graph travels inside the header entry (format 3's graph key nnzip.header.graph): no part of its own.
    assertTrue(m.get("parts").get("codeStreams").asLong() > 0 && m.get("parts").get("graph").asLong() == 0
        && m.get("parts").get("headerEntry").asLong() > 0, m.get("parts").toString());

    assertEquals((double) Files.size(source) / fileBytes, m.get("ratio").asDouble(), 1e-12);
    long weights = 0;
    for (Onnx.TensorProto t : model.getGraph().getInitializerList()) {
      weights += t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }
    assertEquals(weights, m.get("floatWeights").asLong(), "every initializer of the MLP is a float weight");
    long side = m.get("sideInformationBytes").asLong();
    assertTrue(side > 0 && side < fileBytes, "side information is part of the file: " + side);
    assertEquals((double) side / fileBytes, m.get("sideInformationShare").asDouble(), 1e-12);
  }
}
