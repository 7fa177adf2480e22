package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import nnzip.report.ReportJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress --json} and {@code inspect --json} print one schema: the same fields, types and values. */
class ReportJsonCliTest {
  @TempDir static Path dir;
  static Path model;
  static Path artifact;
  static JsonNode compress;
  static JsonNode inspect;

  /** Fields only one of the two commands can know; everything else must be equal. */
  static final Set<String> PER_COMMAND = Set.of("sourceBytes", "ratio", "provenance", "verified", "seconds", "finetune");

  @BeforeAll
  static void compressAndInspect() throws Exception {
    model = Models.write(dir, "model.safetensors", 11, 0.01f);
    artifact = dir.resolve("model.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", artifact.toString(), "--json",
        "--set", "bits=6", "--master", "local[2]");
    assertEquals(Main.OK, c.code(), c.err());
    compress = new ObjectMapper().readTree(c.out());
    CliRun i = CliRun.of("inspect", "--in", artifact.toString(), "--json", "--verify");
    assertEquals(Main.OK, i.code(), i.err());
    inspect = new ObjectMapper().readTree(i.out());
  }

  /**
   * Every path of fields in {@code a} with its JSON type, arrays collapsed to their elements; a null
   * stands for any type (the field exists; the command does not know its value).
   */
  static void shape(JsonNode n, String path, List<String> out) {
    if (n.isObject()) {
      out.add(path + ":object");
      n.properties().forEach(e -> shape(e.getValue(), path + "." + e.getKey(), out));
    } else if (n.isArray()) {
      out.add(path + ":array");
      List<String> seen = new ArrayList<>();
      n.forEach(e -> {
        List<String> one = new ArrayList<>();
        shape(e, path + "[]", one);
        one.stream().filter(s -> !seen.contains(s)).forEach(seen::add);
      });
      out.addAll(seen);
    } else {
      out.add(path + ":" + (n.isNull() ? "null" : n.isIntegralNumber() ? "integer" : n.isNumber() ? "number"
          : n.getNodeType().toString().toLowerCase()));
    }
  }

  static List<String> shape(JsonNode n) {
    List<String> out = new ArrayList<>();
    shape(n, "", out);
    return out;
  }

  @Test
  void bothCommandsPrintTheSameFieldsInTheSameOrder() {
    List<String> c = new ArrayList<>();
    compress.fieldNames().forEachRemaining(c::add);
    List<String> i = new ArrayList<>();
    inspect.fieldNames().forEachRemaining(i::add);
    assertEquals(c, i);
    assertTrue(c.containsAll(List.of("schemaVersion", "ratio", "sourceBytes", "artifactBytes", "recipe", "output",
        "format", "tensors", "provenance")), c.toString());
  }

  @Test
  void sharedFieldsHaveTheSameTypesAndValues() {
    for (String f : (Iterable<String>) compress::fieldNames) {
      if (PER_COMMAND.contains(f)) {
        JsonNode a = compress.get(f);
        JsonNode b = inspect.get(f);
        assertTrue(a.isNull() || b.isNull() || a.getNodeType() == b.getNodeType(), f + ": " + a + " vs " + b);
      } else {
        assertEquals(shape(compress.get(f)), shape(inspect.get(f)), f);
        assertEquals(compress.get(f), inspect.get(f), f);
      }
    }
  }

  @Test
  void valuesMatchTheFilesAndTheRecipe() throws Exception {
    assertEquals(ReportJson.SCHEMA_VERSION, compress.get("schemaVersion").asInt());
    assertTrue(compress.get("schemaVersion").isInt());
    assertEquals(artifact.toAbsolutePath().toString(), compress.get("output").asText());
    assertEquals(Files.size(model), compress.get("sourceBytes").asLong());
    assertEquals(Files.size(artifact), compress.get("artifactBytes").asLong());
    assertEquals((double) Files.size(model) / Files.size(artifact), compress.get("ratio").asDouble(), 1e-12);
    JsonNode recipe = compress.get("recipe");
    assertTrue(recipe.isObject(), "recipe is an object, not a string");
    assertEquals(6, recipe.get("bits").asInt());
    assertEquals("uniform", recipe.get("codec").asText());
    assertTrue(recipe.get("aq").isObject(), "nested keys stay nested");
    assertTrue(inspect.get("verified").asBoolean());
    // Provenance: the same in both reports, the source's real size and SHA-256 (checked with the JDK here).
    JsonNode p = compress.get("provenance");
    assertEquals(p, inspect.get("provenance"));
    assertEquals(Files.size(model), p.get("sourceBytes").asLong());
    assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(model))), p.get("sourceSha256").asText());
    assertEquals(model.toAbsolutePath().toUri().toString().replaceFirst("^file:///", "file:/"),
        p.get("sourceUri").asText());
    assertEquals(nnzip.Version.version(), p.get("nnzipVersion").asText());
    assertEquals(nnzip.Version.commit(), p.get("gitCommit").asText());
    assertEquals((double) Files.size(model) / Files.size(artifact), inspect.get("ratio").asDouble(), 1e-12);
    assertTrue(compress.get("seconds").isNumber() && inspect.get("seconds").isNull());
    long stored = 0;
    for (JsonNode t : compress.get("tensors")) {
      for (String f : List.of("name", "dtype", "shape", "codec", "bits", "scope", "channels", "bitsPerWeight",
          "relativeMse", "originalBytes", "storedBytes")) {
        assertTrue(t.has(f), f + " in " + t);
      }
      long entries = 0;
      for (JsonNode e : t.get("entries")) {
        entries += e.get("bytes").asLong();
      }
      assertEquals(t.get("storedBytes").asLong(), entries, t.get("name").asText());
      long elements = 1;
      for (JsonNode d : t.get("shape")) {
        elements *= d.asLong();
      }
      assertEquals(8.0 * t.get("storedBytes").asLong() / elements, t.get("bitsPerWeight").asDouble(), 1e-9);
      stored += t.get("storedBytes").asLong();
    }
    assertTrue(stored < Files.size(artifact), "tensor bytes " + stored + " within the file");
  }
}
