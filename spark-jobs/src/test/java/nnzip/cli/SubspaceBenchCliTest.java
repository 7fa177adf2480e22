package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import nnzip.bench.SubspaceBenchmark;
import nnzip.model.Architecture;
import nnzip.subspace.SubspaceKind;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench subspace --init M.onnx} on a few examples with a step size too small to move a
 * float weight: each individual model is then the given model compressed at its budget, which this
 * test recomputes on its own (top-k magnitudes over all matrices, the default global scope, a
 * min–max grid per output channel, the channels of largest L1 norm), and the report holds both
 * curves at every budget with their differences.
 */
class SubspaceBenchCliTest {
  @TempDir Path dir;

  @Test
  void individualModelsAreTheGivenModelCompressedAtTheirBudgets() throws Exception {
    Onnx.ModelProto model = Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 11);
    Path init = dir.resolve("trained.onnx");
    Files.write(init, model.toByteArray());
    Path json = dir.resolve("bench.json");
    Path work = dir.resolve("work");
    double[] alphas = {0, 0.5, 1};
    CliRun c = CliRun.of("bench", "subspace", "--init", init.toString(), "--kinds", "bits,unstructured,structured",
        "--dir", work.toString(), "--json-out", json.toString(), "--master", "local[1]",
        "--set", "subspace.epochs=1", "--set", "finetune.examples=256", "--set", "subspace.model-lr=1e-12",
        "--set", "subspace.table=[0, 0.5, 1]", "--set", "subspace.model-cos-weight=0.25");
    assertEquals(Main.OK, c.code(), c.err());
    JsonNode r = new ObjectMapper().readTree(Files.readString(json));
    assertTrue(r.get("init").asText().contains("trained.onnx"), r.get("init").asText());
    assertTrue(r.get("settings").asText().contains("cosWeight=0.25"), "a line from a model takes model-cos-weight");
    assertEquals("importance", r.get("channelOrder").asText());
    assertTrue(Files.readString(dir.resolve("bench.html")).contains("<polyline"));
    Map<String, float[]> given = weights(model);
    for (SubspaceKind kind : SubspaceKind.values()) {
      JsonNode k = r.get(kind.label());
      assertEquals(alphas.length, k.get("line").size());
      assertEquals(alphas.length, k.get("individual").size());
      for (int i = 0; i < alphas.length; i++) {
        assertEquals(100 * (k.get("line").get(i).get("testAccuracy").asDouble()
            - k.get("individual").get(i).get("testAccuracy").asDouble()),
            k.get("lineMinusIndividualPp").get(i).asDouble(), 1e-9);
        Onnx.ModelProto m = Onnx.ModelProto.parseFrom(Files.readAllBytes(
            work.resolve(SubspaceBenchmark.individualName(kind, alphas[i]))));
        Map<String, long[]> shapes = shapes(m);
        Map<String, float[]> got = weights(m);
        if (kind == SubspaceKind.UNSTRUCTURED) {
          assertGlobalTopK(given, got, shapes, 0.025 + 0.975 * alphas[i]);
        }
        for (var e : got.entrySet()) {
          float[] w = given.get(e.getKey());
          long[] shape = shapes.get(e.getKey());
          if (shape.length < 2) {
            continue;
          }
          switch (kind) {
            case UNSTRUCTURED -> { }
            case BITS -> assertGrid(w, e.getValue(), shape, 3 + Math.min(5, (int) Math.floor(6 * alphas[i])),
                e.getKey());
            case STRUCTURED -> { }
          }
        }
        if (kind == SubspaceKind.STRUCTURED) {
          // The first convolution keeps ⌈(0.25 + 0.75·α)·C⌉ output channels: those of largest Σ|w|
          // (subspace.channel-order = importance), largest first.
          String conv = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).findFirst()
              .orElseThrow().getInput(1);
          long[] full = shapes(model).get(conv);
          int kept = (int) Math.ceil((0.25 + 0.75 * alphas[i]) * full[0] - 1e-9);
          assertEquals(kept, shapes.get(conv)[0], "alpha " + alphas[i]);
          assertEquals(full[1], shapes.get(conv)[1]);
          float[] w = given.get(conv);
          int per = (int) (w.length / full[0]);
          double[] l1 = new double[(int) full[0]];
          for (int j = 0; j < w.length; j++) {
            l1[j / per] += Math.abs(w[j]);
          }
          float[] sliced = new float[kept * per];
          Integer[] rows = new Integer[l1.length];
          Arrays.setAll(rows, j -> j);
          Arrays.sort(rows, (x, y) -> Double.compare(l1[y], l1[x]));
          for (int o = 0; o < kept; o++) {
            System.arraycopy(w, rows[o] * per, sliced, o * per, per);
          }
          assertTrue(Arrays.equals(sliced, got.get(conv)), "alpha " + alphas[i] + ": the largest-L1 channels");
        }
      }
    }
    JsonNode sparse = r.get("unstructured").get("sparsity90");
    assertEquals(0.1, sparse.get("keptFraction").asDouble(), 1e-9);
    assertTrue(sparse.get("zeroShare").asDouble() > 0.89, sparse.toString());
    assertTrue(!r.get("bits").has("fourBitMinusEightBitPp"), "no 4-bit point among 0, 0.5, 1");
    assertEquals("global", r.get("unstructured").get("magnitudeScope").asText());
  }

  /**
   * Nonzero exactly at the k = ⌈keep·N⌉ largest |w| of all N elements of the given matrices (ties to
   * the earlier matrix by name, then the lower index), with their values.
   */
  private static void assertGlobalTopK(Map<String, float[]> given, Map<String, float[]> got,
      Map<String, long[]> shapes, double keep) {
    record E(float abs, String key, int index) {}
    java.util.List<E> all = new java.util.ArrayList<>();
    new java.util.TreeMap<>(given).forEach((key, w) -> {
      for (int i = 0; shapes.get(key).length >= 2 && i < w.length; i++) {
        all.add(new E(Math.abs(w[i]), key, i));
      }
    });
    all.sort(java.util.Comparator.comparingDouble((E e) -> -e.abs()).thenComparing(E::key)
        .thenComparingInt(E::index));
    int k = (int) Math.ceil(keep * all.size() - 1e-6);
    Set<String> top = new HashSet<>();
    all.subList(0, k).forEach(e -> top.add(e.key() + "[" + e.index()));
    for (E e : all) {
      float g = given.get(e.key())[e.index()];
      float w = got.get(e.key())[e.index()];
      String name = e.key() + "[" + e.index() + "] at keep " + keep;
      if (top.contains(e.key() + "[" + e.index())) {
        // Each of the few steps of 10⁻¹² moves a weight by at most about that much.
        assertEquals(g, w, 1e-6f * Math.abs(g) + 1e-10f, name + " kept");
      } else {
        assertEquals(0f, w, name + " pruned");
      }
    }
  }

  /** At most 2^bits values per output channel, each within half a min–max step of the given weight. */
  private static void assertGrid(float[] given, float[] got, long[] shape, int bits, String name) {
    int rows = (int) shape[0];
    int cols = given.length / rows;
    for (int r = 0; r < rows; r++) {
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      Set<Float> levels = new HashSet<>();
      for (int j = 0; j < cols; j++) {
        lo = Math.min(lo, given[r * cols + j]);
        hi = Math.max(hi, given[r * cols + j]);
        levels.add(got[r * cols + j]);
      }
      double step = ((double) hi - lo) / ((1 << bits) - 1);
      assertTrue(levels.size() <= 1 << bits, name + " row " + r + ": " + levels.size() + " levels at " + bits + " bits");
      for (int j = 0; j < cols; j++) {
        assertEquals(given[r * cols + j], got[r * cols + j], step / 2 * (1 + 1.0 / 64) + 1e-9, name + " row " + r);
      }
    }
  }

  private static Map<String, float[]> weights(Onnx.ModelProto m) {
    Map<String, float[]> out = new HashMap<>();
    for (Onnx.TensorProto t : m.getGraph().getInitializerList()) {
      float[] v = new float[t.getRawData().size() / 4];
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      out.put(t.getName(), v);
    }
    return out;
  }

  private static Map<String, long[]> shapes(Onnx.ModelProto m) {
    Map<String, long[]> out = new HashMap<>();
    for (Onnx.TensorProto t : m.getGraph().getInitializerList()) {
      out.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }
    return out;
  }
}
