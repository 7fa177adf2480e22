package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.graph.GraphMode;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxProto;
import nnzip.model.Architecture;
import nnzip.train.GraphSetup;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** Dialing lenet5 lines built from two random initializations, checked against slicing and ONNX Runtime. */
class LineTest {
  private static final ModelProto M0 = Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1);
  private static final ModelProto M1 = Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 2);

  /** The float initializers of a model by name (NormLineDialTest reads its models with it too). */
  static Map<String, float[]> weights(ModelProto m) {
    Map<String, float[]> w = new LinkedHashMap<>();
    for (TensorProto t : m.getGraph().getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() > 0) {
        float[] v = new float[t.getRawData().size() / 4];
        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        w.put(t.getName(), v);
      }
    }
    return w;
  }

  private static Line line(SubspaceKind kind) {
    return line(kind, MagnitudeScope.LAYER);
  }

  private static Line line(SubspaceKind kind, MagnitudeScope scope) {
    LineDescriptor d = LineDescriptor.of(kind, List.of(new LineDescriptor.Point(0, 0.5),
        new LineDescriptor.Point(1, 0.9)), List.of(), scope);
    // Through the stored form: the graph compress stores and decompress restores.
    byte[] stored = Line.toOnnx(wire(M0), weights(M0), weights(M1), d).toByteArray();
    return Line.of(OnnxProto.Model.parse(stored, "line"), "line");
  }

  private static Map<String, long[]> shapes(ModelProto m) {
    Map<String, long[]> s = new LinkedHashMap<>();
    m.getGraph().getInitializerList().forEach(t -> s.put(t.getName(),
        t.getDimsList().stream().mapToLong(Long::longValue).toArray()));
    return s;
  }

  /** The weight keys of the Conv and Gemm nodes in node order: [W, B] per layer. */
  private static List<String[]> layers(ModelProto m) {
    return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv") || n.getOpType().equals("Gemm"))
        .map(n -> new String[] {n.getInput(1), n.getInput(2)}).toList();
  }

  @Test
  void storedLineReadsBackItsEndpointsAndDescriptor() {
    Line l = line(SubspaceKind.BITS);
    assertEquals(SubspaceKind.BITS, l.descriptor().kind());
    assertEquals(2, l.table().size());
    assertEquals(8, l.w0().size());
    // w1 is the graph's weights; w0 comes back as w1 + (w0 − w1), within float rounding of w0.
    weights(M1).forEach((k, v) -> assertArrayEquals(v, l.w1().get(k), k));
    weights(M0).forEach((k, v) -> {
      float[] w1 = weights(M1).get(k);
      for (int i = 0; i < v.length; i++) {
        assertEquals(w1[i] + (v[i] - w1[i]), l.w0().get(k)[i], 0f, k);
        assertEquals(v[i], l.w0().get(k)[i], Math.ulp(Math.max(Math.abs(v[i]), Math.abs(w1[i]))), k);
      }
    });
    OnnxProto.Model stored = Line.toOnnx(wire(M0), weights(M0), weights(M1), l.descriptor());
    assertEquals(8, stored.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().startsWith(LineDescriptor.DIFFERENCE_PREFIX)).count());
  }

  @Test
  void versionOneLinesReadBothEndpointsWhole() {
    // As the first release stored a line: w0 as the graph's weights, w1 whole under nnzip.line1/.
    ModelProto.Builder b = M0.toBuilder();
    weights(M1).forEach((k, v) -> {
      TensorProto t = M1.getGraph().getInitializerList().stream().filter(i -> i.getName().equals(k)).findFirst()
          .orElseThrow();
      b.getGraphBuilder().addInitializer(t.toBuilder().setName(LineDescriptor.SECOND_PREFIX + k));
    });
    b.addMetadataProps(onnx.Onnx.StringStringEntryProto.newBuilder().setKey(LineDescriptor.METADATA_KEY)
        .setValue("{\"version\":1,\"kind\":\"structured\",\"table\":[{\"alpha\":1,\"validationAccuracy\":0.9}]}"));
    Line l = Line.of(OnnxProto.Model.parse(b.build().toByteArray(), "v1"), "v1");
    assertEquals(1, l.descriptor().version());
    weights(M0).forEach((k, v) -> assertArrayEquals(v, l.w0().get(k), k));
    weights(M1).forEach((k, v) -> assertArrayEquals(v, l.w1().get(k), k));
    assertThrows(IllegalArgumentException.class, () -> Line.toOnnx(wire(M0), l.w0(), l.w1(), l.descriptor()),
        "lines are only written in the current version");
  }

  @Test
  void endpointsDialExactlyAsDecoded() {
    for (SubspaceKind kind : new SubspaceKind[] {SubspaceKind.UNSTRUCTURED, SubspaceKind.STRUCTURED}) {
      Map<String, float[]> at1 = weights(OnnxModelFile.parse(line(kind).dial(1), "dialed"));
      weights(M1).forEach((k, v) -> assertArrayEquals(v, at1.get(k), kind + " " + k));
    }
    // Structured α = 0 (width 0.25): conv1 keeps its first 5 filters, the decoded first endpoint's.
    assertArrayEquals(java.util.Arrays.copyOf(line(SubspaceKind.STRUCTURED).w0().get("conv1.weight"), 5 * 25),
        weights(OnnxModelFile.parse(line(SubspaceKind.STRUCTURED).dial(0), "dialed")).get("conv1.weight"));
    // Unstructured α = 0: the decoded first endpoint with the top 2.5% of each matrix kept, the rest zero.
    Map<String, float[]> at0 = weights(OnnxModelFile.parse(line(SubspaceKind.UNSTRUCTURED).dial(0), "dialed"));
    line(SubspaceKind.UNSTRUCTURED).w0().forEach((k, v) -> {
      float[] d = at0.get(k);
      if (shapes(M0).get(k).length < 2) {
        assertArrayEquals(v, d, k);
        return;
      }
      int nonZero = 0;
      for (int i = 0; i < v.length; i++) {
        assertTrue(d[i] == 0f || d[i] == v[i]);
        nonZero += d[i] != 0f ? 1 : 0;
      }
      assertEquals((int) Math.ceil(0.025 * v.length - 1e-9), nonZero, k);
    });
  }

  @Test
  void structuredPointIsTheLineSlicedToTheFirstChannels() throws Exception {
    float a = 0.3f;
    byte[] dialed = line(SubspaceKind.STRUCTURED).dial(a);
    Map<String, float[]> got = weights(OnnxModelFile.parse(dialed, "dialed"));
    Map<String, long[]> gotShapes = shapes(OnnxModelFile.parse(dialed, "dialed"));
    Map<String, float[]> w0 = line(SubspaceKind.STRUCTURED).w0();
    Map<String, float[]> w1 = line(SubspaceKind.STRUCTURED).w1();
    Map<String, long[]> full = shapes(M0);
    List<String[]> l = layers(M0);
    double width = 0.25 + 0.75 * a;
    int k1 = (int) Math.ceil(width * 20 - 1e-9);
    int k2 = (int) Math.ceil(width * 50 - 1e-9);
    int k3 = (int) Math.ceil(width * 500 - 1e-9);
    int[] keptOut = {k1, k2, k3, 10};
    int[] inFull = {1, 20, 800, 500};
    // Inputs kept per layer: conv2 reads conv1's channels, fc1 the flattened 50×4×4 (channel-major), fc2 fc1's.
    java.util.function.IntPredicate[] keepIn = {j -> true, j -> j < k1, j -> j / 16 < k2, j -> j < k3};
    for (int layer = 0; layer < 4; layer++) {
      String w = l.get(layer)[0];
      String b = l.get(layer)[1];
      long[] s = full.get(w);
      int inner = (int) (s.length == 4 ? s[2] * s[3] : 1);
      int in = (int) s[1];
      assertEquals(inFull[layer], in);
      float[] line = LineWeight.point(w0.get(w), w1.get(w), a);
      float[] lineB = LineWeight.point(w0.get(b), w1.get(b), a);
      List<Float> expected = new java.util.ArrayList<>();
      for (int o = 0; o < keptOut[layer]; o++) {
        for (int j = 0; j < in; j++) {
          if (keepIn[layer].test(j)) {
            for (int z = 0; z < inner; z++) {
              expected.add(line[(o * in + j) * inner + z]);
            }
          }
        }
      }
      float[] e = new float[expected.size()];
      for (int i = 0; i < e.length; i++) {
        e[i] = expected.get(i);
      }
      assertArrayEquals(e, got.get(w), w);
      assertEquals(keptOut[layer], gotShapes.get(w)[0], w);
      assertArrayEquals(java.util.Arrays.copyOf(lineB, keptOut[layer]), got.get(b), b);
    }
    assertOrtMatchesJvm(dialed);
  }

  @Test
  void bitsPointIsTheCodecsQuantizationOfTheLine() throws Exception {
    float a = 0.45f;
    int bits = SubspaceKind.bits(a);
    assertEquals(5, bits);
    byte[] dialed = line(SubspaceKind.BITS).dial(a);
    Map<String, float[]> got = weights(OnnxModelFile.parse(dialed, "dialed"));
    Map<String, long[]> s = shapes(M0);
    Line decoded = line(SubspaceKind.BITS);
    for (String k : got.keySet()) {
      float[] line = LineWeight.point(decoded.w0().get(k), decoded.w1().get(k), a);
      if (s.get(k).length < 2) {
        assertArrayEquals(line, got.get(k), k);
        continue;
      }
      int rows = (int) s.get(k)[0];
      int cols = line.length / rows;
      float[] ref = new float[line.length];
      for (int r = 0; r < rows; r++) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int j = 0; j < cols; j++) {
          lo = Math.min(lo, line[r * cols + j]);
          hi = Math.max(hi, line[r * cols + j]);
        }
        float step = (float) (((double) hi - lo) / ((1 << bits) - 1));
        for (int j = 0; j < cols; j++) {
          ref[r * cols + j] = lo + (int) Math.rint((line[r * cols + j] - lo) / step) * step;
        }
      }
      assertArrayEquals(ref, got.get(k), k);
    }
    assertOrtMatchesJvm(dialed);
  }

  @Test
  void globalPointKeepsTheModelsLargestMagnitudesOverAllMatrices() {
    Line l = line(SubspaceKind.UNSTRUCTURED, MagnitudeScope.GLOBAL);
    assertEquals(LineDescriptor.GLOBAL_VERSION, l.descriptor().version());
    assertEquals(MagnitudeScope.GLOBAL, l.descriptor().scope());
    Map<String, long[]> shapes = shapes(M0);
    for (float a : new float[] {0f, 0.0769f, 0.4f, 1f}) {
      // w(α) in float, as the line defines it, and the brute-force ranking of its matrices.
      Map<String, float[]> points = new LinkedHashMap<>();
      Map<String, float[]> matrices = new LinkedHashMap<>();
      l.w0().forEach((k, v0) -> {
        float[] v1 = l.w1().get(k);
        float[] w = new float[v0.length];
        for (int i = 0; i < w.length; i++) {
          w[i] = (1 - a) * v0[i] + a * v1[i];
        }
        points.put(k, w);
        if (shapes.get(k).length >= 2) {
          matrices.put(k, w);
        }
      });
      int n = matrices.values().stream().mapToInt(w -> w.length).sum();
      int k = SubspaceKind.keptElements(SubspaceKind.keepFraction(a, (float) SubspaceKind.LOWEST_KEEP), n);
      Map<String, boolean[]> kept = GlobalMagnitudeTest.bruteForce(matrices, k);
      Map<String, float[]> dialed = weights(OnnxModelFile.parse(l.dial(a), "dialed"));
      int nonZero = 0;
      for (Map.Entry<String, float[]> e : points.entrySet()) {
        float[] want = e.getValue().clone();
        boolean[] mask = kept.get(e.getKey());
        for (int i = 0; mask != null && i < want.length; i++) {
          want[i] = mask[i] ? want[i] : 0f;
          nonZero += mask[i] ? 1 : 0;
        }
        assertArrayEquals(want, dialed.get(e.getKey()), e.getKey() + " at alpha " + a);
      }
      assertEquals(k, nonZero, "alpha " + a);
    }
  }

  @Test
  void aLayerLineDialsTheBytesItDialedBeforeTheGlobalScope() throws Exception {
    // SHA-256 of these dials as nnzip wrote them before magnitude-scope existed (commit 624b4c1).
    Map<String, String> before = new LinkedHashMap<>();
    before.put("unstructured 0.0769", "7db8a2a7ff986d033cffb12ab3dc66e6366c0d5afcd3f1eb32d2f41e593acb29");
    before.put("unstructured 0.3", "5d0539afbda64a420a01f513cbc42790899c10eae2b6136b4b43d6d14a543445");
    before.put("bits 0.3", "5015fc209644d22b8a2498cbb60edc6e8adf173ec81799b1dd621c70104cbbb4");
    before.put("structured 0.3", "950ab410697e419a156621eb1d17007fbae68a6400b07422d53a784d29323adf");
    for (Map.Entry<String, String> e : before.entrySet()) {
      String[] kindAlpha = e.getKey().split(" ");
      byte[] dialed = line(SubspaceKind.parse(kindAlpha[0])).dial(Double.parseDouble(kindAlpha[1]));
      assertEquals(e.getValue(), java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(dialed)), e.getKey());
    }
  }

  @Test
  void dialedPointComputesWhatTheTrainingGraphComputesAtThatAlpha() {
    Random r = new Random(5);
    float[] x = new float[4 * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    var w0 = new GraphSetup(M0.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build().values();
    var w1 = new GraphSetup(M1.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build().values();
    List<Object[]> lines = new java.util.ArrayList<>();
    for (SubspaceKind kind : SubspaceKind.values()) {
      lines.add(new Object[] {kind, MagnitudeScope.LAYER});
    }
    lines.add(new Object[] {SubspaceKind.UNSTRUCTURED, MagnitudeScope.GLOBAL});
    for (Object[] kindScope : lines) {
      SubspaceKind kind = (SubspaceKind) kindScope[0];
      MagnitudeScope scope = (MagnitudeScope) kindScope[1];
      // The training graph over the endpoints as the stored line decodes them.
      Line l = line(kind, scope);
      WeightPlan plan = LineTraining.plan(M0, with(w0, l.w0()), with(w1, l.w1()), Set.of(), kind, scope, null,
          Set.of());
      LineTraining lineTraining = new LineTraining(plan, new SubspaceSettings(kind, 0, 0.5, 0, Double.NaN, 1, null, 1,
          scope), 1, 0.5);
      var training = new GraphSetup(M0.toByteArray(), plan, GraphMode.INFERENCE).build();
      for (float a : new float[] {0f, 0.3f, 0.8f}) {
        training.setValues(lineTraining.at(training.values(), a));
        float[] masked = training.logits(x, 4);
        byte[] dialed = l.dial(a);
        float[] narrow = new GraphSetup(dialed, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build()
            .logits(x, 4);
        for (int i = 0; i < masked.length; i++) {
          assertEquals(masked[i], narrow[i], 1e-4 * Math.max(1, Math.abs(masked[i])),
              kind + " " + scope + " alpha " + a + " logit " + i);
        }
      }
    }
  }

  /** {@code like} with the values of the keys in {@code values} replaced. */
  private static nnzip.train.ParameterValues with(nnzip.train.ParameterValues like, Map<String, float[]> values) {
    float[][] v = like.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = values.getOrDefault(like.names().get(i), v[i]).clone();
    }
    return new nnzip.train.ParameterValues(like.names(), like.shapes(), v);
  }

  @Test
  void unstructuredPointRunsInOnnxRuntime() throws Exception {
    assertOrtMatchesJvm(line(SubspaceKind.UNSTRUCTURED).dial(0.6));
  }

  @Test
  void badInputIsRefusedWithOneLine() {
    assertThrows(IllegalArgumentException.class, () -> line(SubspaceKind.BITS).dial(1.5));
    assertThrows(IllegalArgumentException.class, () -> line(SubspaceKind.BITS).dial(Double.NaN));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Line.of(wire(M0), "plain.onnx"));
    assertTrue(e.getMessage().contains("not a compressible subspace"), e.getMessage());
  }

  /** ONNX Runtime and nnzip's own forward give the same logits for the dialed model. */
  private static void assertOrtMatchesJvm(byte[] model) throws Exception {
    int n = 3;
    float[] x = new float[n * 784];
    Random r = new Random(9);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] jvm = new GraphSetup(model, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build().logits(x, n);
    float[] ort = nnzip.graph.OrtReference.run(model, x, new long[] {n, 1, 28, 28});
    assertEquals(jvm.length, ort.length);
    for (int i = 0; i < ort.length; i++) {
      assertEquals(ort[i], jvm[i], 1e-4 * Math.max(1, Math.abs(ort[i])), "logit " + i);
    }
  }

  private static OnnxProto.Model wire(ModelProto m) {
    return OnnxProto.Model.parse(m.toByteArray(), "test");
  }
}
