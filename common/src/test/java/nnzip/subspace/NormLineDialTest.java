package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxProto;
import nnzip.model.Architecture;
import nnzip.train.GraphSetup;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.Test;

/**
 * Dialing lines of a Conv–BatchNorm–ReLU network (vgg-small) with per-α statistics: the endpoints
 * and anchors come back exactly, a point's statistics are the interpolation of its anchors, the
 * structured point's BatchNorm tensors are the line's sliced to the kept channels, and ONNX Runtime
 * computes on the dialed model what nnzip's training graph computes at that α.
 */
class NormLineDialTest {
  private static final ModelProto M0 = Architecture.VGG_SMALL.build(new int[] {1, 28, 28}, 10, 1);
  private static final ModelProto M1 = Architecture.VGG_SMALL.build(new int[] {1, 28, 28}, 10, 2);
  private static final Set<String> STATS = BatchNormWeights.runningStatistics(M0);
  private static final int ANCHORS = 5;

  private static Map<String, float[]> lineWeights(ModelProto m) {
    Map<String, float[]> w = LineTest.weights(m);
    w.keySet().removeAll(STATS);
    return w;
  }

  /** Anchors with distinct statistics: means around 0, variances in (0.5, 2.5). */
  private static NormLine norms() {
    SplittableRandom r = new SplittableRandom(8);
    Map<String, float[][]> s = new LinkedHashMap<>();
    Map<String, float[]> own = LineTest.weights(M0);
    for (String k : STATS) {
      float[][] v = new float[ANCHORS][own.get(k).length];
      for (float[] a : v) {
        for (int i = 0; i < a.length; i++) {
          a[i] = k.endsWith("var") ? (float) (0.5 + 2 * r.nextDouble()) : (float) r.nextGaussian();
        }
      }
      s.put(k, v);
    }
    return new NormLine(NormLine.grid(ANCHORS), s);
  }

  private static List<Float> anchors() {
    return java.util.stream.IntStream.range(0, ANCHORS).mapToObj(j -> NormLine.grid(ANCHORS)[j]).toList();
  }

  private static Line line(SubspaceKind kind) {
    LineDescriptor d = LineDescriptor.of(kind, List.of(new LineDescriptor.Point(1, 0.9)), anchors());
    byte[] stored = Line.toOnnx(wire(M0), lineWeights(M0), lineWeights(M1), norms(), d).toByteArray();
    return Line.of(OnnxProto.Model.parse(stored, "line"), "line");
  }

  private static OnnxProto.Model wire(ModelProto m) {
    return OnnxProto.Model.parse(m.toByteArray(), "test");
  }

  @Test
  void storedLineReadsBackItsNormLine() {
    Line l = line(SubspaceKind.UNSTRUCTURED);
    assertEquals(LineDescriptor.NORM_VERSION, l.descriptor().version());
    assertEquals(anchors(), l.descriptor().norm());
    assertEquals(norms(), l.norms());
    assertEquals(STATS, l.norms().statistics().keySet());
    assertFalse(l.w0().keySet().stream().anyMatch(STATS::contains));
    assertTrue(l.model().getGraph().getInitializerList().stream()
        .noneMatch(t -> t.getName().startsWith(NormLine.PREFIX) || t.getName().startsWith("nnzip.line")));
    // The stored graph's own statistics are the α = 1 anchor's.
    byte[] stored = Line.toOnnx(wire(M0), lineWeights(M0), lineWeights(M1), norms(),
        LineDescriptor.of(SubspaceKind.BITS, List.of(), anchors())).toByteArray();
    Map<String, float[]> own = LineTest.weights(OnnxModelFile.parse(stored, "stored"));
    for (String k : STATS) {
      assertArrayEquals(norms().statistics().get(k)[ANCHORS - 1], own.get(k), k);
      assertArrayEquals(norms().statistics().get(k)[0], own.get(NormLine.key(0, k)), k);
    }
  }

  @Test
  void linesWithoutNormAnchorsAreStillVersionTwo() {
    LineDescriptor d = LineDescriptor.of(SubspaceKind.BITS, List.of(), List.of());
    assertEquals(LineDescriptor.VERSION, d.version());
    assertFalse(d.toJson().contains("norm"));
    Line l = Line.of(Line.toOnnx(wire(M0), lineWeights(M0), lineWeights(M1), d), "v2");
    assertTrue(l.norms().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> Line.toOnnx(wire(M0), lineWeights(M0), lineWeights(M1),
        norms(), d));
  }

  @Test
  void endpointsDialTheEndpointsAndTheEndAnchors() {
    Line l = line(SubspaceKind.BITS);
    for (int end = 0; end <= 1; end++) {
      Map<String, float[]> got = LineTest.weights(OnnxModelFile.parse(l.dial(end), "dialed"));
      Map<String, float[]> expected = end == 0 ? l.w0() : l.w1();
      for (String k : expected.keySet()) {
        if (expected.get(k).length == got.get(k).length && l.shapes().get(k).length == 1) {
          // Vectors (BatchNorm scale and shift) pass a bits point unchanged: exactly the endpoint.
          assertArrayEquals(expected.get(k), got.get(k), k);
        }
      }
      for (String k : STATS) {
        assertArrayEquals(l.norms().statistics().get(k)[end == 0 ? 0 : ANCHORS - 1], got.get(k), k);
      }
    }
  }

  @Test
  void aPointsStatisticsInterpolateItsTwoAnchors() {
    Line l = line(SubspaceKind.UNSTRUCTURED);
    float a = 0.3f;
    Map<String, float[]> got = LineTest.weights(OnnxModelFile.parse(l.dial(a), "dialed"));
    // 0.3 lies in [0.25, 0.5], a fifth of the way.
    for (String k : STATS) {
      float[][] s = norms().statistics().get(k);
      for (int i = 0; i < s[0].length; i++) {
        double expected = 0.8 * s[1][i] + 0.2 * s[2][i];
        assertEquals(expected, got.get(k)[i], 1e-6 * (1 + Math.abs(expected)), k + "[" + i + "]");
      }
    }
  }

  @Test
  void structuredPointSlicesTheBatchNormTensorsToTheKeptChannels() throws Exception {
    float a = 0.4f;
    Line l = line(SubspaceKind.STRUCTURED);
    byte[] dialed = l.dial(a);
    ModelProto narrow = OnnxModelFile.parse(dialed, "dialed");
    Map<String, float[]> got = LineTest.weights(narrow);
    Map<String, float[]> stats = norms().at(a);
    int bns = 0;
    for (NodeProto n : M0.getGraph().getNodeList()) {
      if (!n.getOpType().equals("BatchNormalization")) {
        continue;
      }
      bns++;
      int channels = l.w0().get(n.getInput(1)).length;
      int k = (int) Math.ceil((0.25 + 0.75 * a) * channels - 1e-9);
      for (int i = 1; i <= 4; i++) {
        String key = n.getInput(i);
        float[] full = i <= 2 ? Line.point(l.w0().get(key), l.w1().get(key), a) : stats.get(key);
        assertArrayEquals(java.util.Arrays.copyOf(full, k), got.get(key), key);
      }
    }
    assertEquals(4, bns);
    assertOrtMatchesTrainingGraph(l, SubspaceKind.STRUCTURED, a, dialed);
  }

  @Test
  void dialedModelsRunInOnnxRuntimeAsTheTrainingGraphComputesThem() throws Exception {
    for (SubspaceKind kind : new SubspaceKind[] {SubspaceKind.UNSTRUCTURED, SubspaceKind.BITS}) {
      Line l = line(kind);
      for (float a : new float[] {0f, 0.6f, 1f}) {
        assertOrtMatchesTrainingGraph(l, kind, a, l.dial(a));
      }
    }
  }

  @Test
  void batchNormWithComputedStatisticsIsRefusedWithOneLine() {
    ModelProto.Builder b = M0.toBuilder();
    String mean = STATS.iterator().next();
    b.getGraphBuilder().removeInitializer(indexOf(b, mean));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> PointCompression.of(
        OnnxProto.Model.parse(b.build().toByteArray(), "m"), Map.of(), SubspaceKind.BITS));
    assertTrue(e.getMessage().contains("running mean and variance stored as initializers"), e.getMessage());
  }

  private static int indexOf(ModelProto.Builder b, String name) {
    for (int i = 0; i < b.getGraph().getInitializerCount(); i++) {
      if (b.getGraph().getInitializer(i).getName().equals(name)) {
        return i;
      }
    }
    throw new AssertionError(name);
  }

  /**
   * ONNX Runtime on the dialed model against nnzip's training graph (full width, inference mode) at
   * α with the norm line's statistics at α.
   */
  private static void assertOrtMatchesTrainingGraph(Line l, SubspaceKind kind, float a, byte[] dialed)
      throws Exception {
    ParameterValues w0 = new GraphSetup(M0.toByteArray(), WeightPlan.allTrainable(STATS), GraphMode.INFERENCE)
        .build().values();
    WeightPlan plan = LineTraining.plan(M0, with(w0, l.w0()), with(w0, l.w1()), STATS, kind);
    TrainingGraph g = new GraphSetup(M0.toByteArray(), plan, GraphMode.INFERENCE).build();
    g.setValues(LineTraining.at(g.values(), LineTraining.lineParameters(plan), a));
    l.norms().at(a).forEach(g::setConstant);
    int n = 3;
    float[] x = new float[n * 784];
    Random r = new Random(9);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] jvm = g.logits(x, n);
    float[] ort = nnzip.graph.OrtReference.run(dialed, x, new long[] {n, 1, 28, 28});
    assertEquals(jvm.length, ort.length);
    for (int i = 0; i < ort.length; i++) {
      assertEquals(jvm[i], ort[i], 1e-4 * Math.max(1, Math.abs(jvm[i])), kind + " alpha " + a + " logit " + i);
    }
  }

  /** {@code like} with the values of the keys in {@code values} replaced. */
  private static ParameterValues with(ParameterValues like, Map<String, float[]> values) {
    float[][] v = like.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = values.getOrDefault(like.names().get(i), v[i]).clone();
    }
    return new ParameterValues(like.names(), like.shapes(), v);
  }
}
