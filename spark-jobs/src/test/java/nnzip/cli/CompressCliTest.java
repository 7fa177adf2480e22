package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.tensor.FloatCodec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compress, decompress and inspect commands end to end on embedded Spark. */
class CompressCliTest {
  @TempDir static Path dir;
  static Path model;
  static final FileSystem fs = nnzip.io.HadoopFiles.fileSystem("file:///");

  @BeforeAll
  static void writeModel() throws IOException {
    model = Models.write(dir, "model.safetensors", 7, 0.01f);
  }

  static org.apache.hadoop.fs.Path hp(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  static Map<String, StoredTensor> tensors(Path file) throws IOException {
    return SafetensorsReader.tensors(fs, hp(file)).stream()
        .collect(Collectors.toMap(t -> t.spec().name(), t -> t, (a, b) -> a, java.util.LinkedHashMap::new));
  }

  static float[] floats(StoredTensor t) throws IOException {
    ByteBuffer b = SafetensorsReader.readTensor(fs, t);
    float[] v = new float[(int) t.spec().numElements()];
    FloatCodec.decode(b, t.spec().dtype(), v, 0, v.length);
    return v;
  }

  @Test
  void decompressRestoresEveryTensorWithinHalfAStepOfItsChannelRange() throws IOException {
    Path art = dir.resolve("roundtrip.nnz.safetensors");
    Path back = dir.resolve("roundtrip.safetensors");
    CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", art.toString(), "--set", "bits=4",
        "--set", "scope=channel", "--set", "passthrough.dp-bits=0", "--set", "passthrough.uniform-bits=0",
        "--master", "local[2]");
    assertEquals(0, c.code(), c.err());
    assertTrue(c.out().contains("ratio"), c.out());
    CliRun d = CliRun.of("decompress", "--in", art.toString(), "--out", back.toString());
    assertEquals(0, d.code(), d.err());

    Map<String, StoredTensor> original = tensors(model);
    Map<String, StoredTensor> restored = tensors(back);
    assertEquals(List.copyOf(original.keySet()), List.copyOf(restored.keySet()));
    for (String name : original.keySet()) {
      StoredTensor o = original.get(name);
      StoredTensor r = restored.get(name);
      assertEquals(o.spec(), r.spec(), name);
      byte[] ob = SafetensorsReader.readTensor(fs, o).array();
      byte[] rb = SafetensorsReader.readTensor(fs, r).array();
      if (name.equals("conv1.bias") || name.equals("steps")) {
        assertArrayEquals(ob, rb, name + " is passed through unchanged");
        continue;
      }
      // Independent bound: half the 4-bit step of each row's own min–max range, plus the rounding
      // of the original dtype when the decoded float is written back (F16/BF16).
      float[] ov = floats(o);
      float[] rv = floats(r);
      int rows = (int) o.spec().rows();
      int len = ov.length / rows;
      for (int row = 0; row < rows; row++) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int i = row * len; i < (row + 1) * len; i++) {
          lo = Math.min(lo, ov[i]);
          hi = Math.max(hi, ov[i]);
        }
        double halfStep = (hi - lo) / 15.0 / 2;
        for (int i = row * len; i < (row + 1) * len; i++) {
          double dtypeUlp = switch (o.spec().dtype()) {
            case F16 -> Math.abs(ov[i]) * 0x1p-10 + 0x1p-24;
            case BF16 -> Math.abs(ov[i]) * 0x1p-7;
            default -> Math.ulp(ov[i]) * 4;
          };
          // F16 parameters (where the codec's rule allows them) widen the step by at most 1/HALF_STEP_SLACK.
          double slack = 1 + 1.0 / nnzip.codec.uniform.UniformCodec.HALF_STEP_SLACK;
          assertTrue(Math.abs(ov[i] - rv[i]) <= halfStep * slack * (1 + 1e-5) + dtypeUlp,
              name + "[" + i + "]: " + ov[i] + " vs " + rv[i] + ", half step " + halfStep);
        }
      }
    }
  }

  @Test
  void artifactsAreByteIdenticalWhateverThePartitionCount() throws IOException {
    byte[] first = null;
    for (int partitions : new int[] {1, 2, 8}) {
      Path art = dir.resolve("det-" + partitions + ".nnz.safetensors");
      CliRun c = CliRun.of("compress", "--in", model.toString(), "--out", art.toString(), "--set", "bits=3",
          "--set", "shard-bytes=4k", "--set", "partitions=" + partitions, "--master", "local[2]");
      assertEquals(0, c.code(), c.err());
      assertTrue(c.err().contains("on " + partitions + " partitions"), c.err());
      byte[] bytes = Files.readAllBytes(art);
      if (first == null) {
        first = bytes;
      } else {
        assertArrayEquals(first, bytes, partitions + " partitions");
      }
    }
  }

  @Test
  void shardedModelCompressesToTheSameTensorsAsItsSingleFileTwin() throws IOException {
    // Split the fixture into two shards plus a Hugging Face index, then compare the restored tensors.
    Path shards = Files.createDirectories(dir.resolve("sharded"));
    Map<String, StoredTensor> all = tensors(model);
    List<String> names = List.copyOf(all.keySet());
    StringBuilder map = new StringBuilder();
    for (int s = 0; s < 2; s++) {
      String file = String.format("model-%05d-of-00002.safetensors", s + 1);
      List<String> mine = s == 0 ? names.subList(0, 3) : names.subList(3, names.size());
      List<nnzip.tensor.TensorSpec> specs = mine.stream().map(n -> all.get(n).spec()).toList();
      try (var out = Files.newOutputStream(shards.resolve(file));
          var w = new nnzip.io.safetensors.SafetensorsWriter(out, specs, Map.of())) {
        for (String n : mine) {
          w.writeTensor(n, SafetensorsReader.readTensor(fs, all.get(n)).array());
          map.append(map.length() == 0 ? "" : ",").append('"').append(n).append("\":\"").append(file).append('"');
        }
        w.finish();
      }
    }
    Files.writeString(shards.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
    Path single = dir.resolve("single.nnz.safetensors");
    Path sharded = dir.resolve("sharded.nnz.safetensors");
    assertEquals(0, CliRun.of("compress", "--in", model.toString(), "--out", single.toString()).code());
    CliRun c = CliRun.of("compress", "--in", shards.toString(), "--out", sharded.toString());
    assertEquals(0, c.code(), c.err());
    Path a = dir.resolve("single.safetensors");
    Path b = dir.resolve("sharded.safetensors");
    assertEquals(0, CliRun.of("decompress", "--in", single.toString(), "--out", a.toString()).code());
    assertEquals(0, CliRun.of("decompress", "--in", sharded.toString(), "--out", b.toString()).code());
    Map<String, StoredTensor> ta = tensors(a);
    Map<String, StoredTensor> tb = tensors(b);
    assertEquals(ta.keySet(), tb.keySet());
    for (String n : ta.keySet()) {
      assertArrayEquals(SafetensorsReader.readTensor(fs, ta.get(n)).array(),
          SafetensorsReader.readTensor(fs, tb.get(n)).array(), n);
    }
  }

  @Test
  void inspectJsonPrintsTheManifestWithSizesThatAddUp() throws IOException {
    Path art = dir.resolve("inspect.nnz.safetensors");
    assertEquals(0, CliRun.of("compress", "--in", model.toString(), "--out", art.toString()).code());
    CliRun i = CliRun.of("inspect", "--in", art.toString(), "--json", "--verify");
    assertEquals(0, i.code(), i.err());
    JsonNode root = new ObjectMapper().readTree(i.out());
    assertEquals(Files.size(art), root.get("artifactBytes").asLong());
    assertEquals(6, root.get("tensors").size());
    long stored = 0;
    for (JsonNode t : root.get("tensors")) {
      stored += t.get("storedBytes").asLong();
    }
    assertTrue(stored < Files.size(art) && stored > Files.size(art) / 2, "stored bytes " + stored);
    assertEquals(8, root.get("recipe").get("bits").asInt(), "the stored recipe, as an object");
    assertEquals("uniform", root.get("tensors").get(0).get("codec").asText());
    // A bias the passthrough rules keep is coded per tensor at passthrough.uniform-bits (8 by default).
    JsonNode bias = root.get("tensors").get(1);
    assertEquals("uniform", bias.get("codec").asText(), bias.toString());
    assertEquals("tensor", bias.get("scope").asText(), bias.toString());
  }

  @Test
  void everyCommandAnswersHelp() {
    for (String cmd : Main.commands().keySet()) {
      CliRun h = CliRun.of(cmd, "--help");
      assertEquals(0, h.code(), cmd);
      assertTrue(h.out().startsWith("usage: nnzip " + cmd), cmd + ": " + h.out());
    }
    CliRun top = CliRun.of("--help");
    assertEquals(0, top.code());
    assertTrue(top.out().contains("compress") && top.out().contains("decompress"));
  }

  @Test
  void decompressToOnnxOfASafetensorsArtifactIsAUsageError() throws IOException {
    Path art = dir.resolve("fmt.nnz.safetensors");
    assertEquals(0, CliRun.of("compress", "--in", model.toString(), "--out", art.toString()).code());
    CliRun d = CliRun.of("decompress", "--in", art.toString(), "--out", dir.resolve("x.onnx").toString(),
        "--format", "onnx");
    assertEquals(Main.USAGE, d.code());
    assertTrue(d.errorLine().contains("holds no ONNX graph"), d.errorLine());
    assertFalse(Files.exists(dir.resolve("x.onnx")));
  }
}
