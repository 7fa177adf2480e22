package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import nnzip.data.Dataset;
import nnzip.graph.GraphMode;
import nnzip.train.GraphSetup;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;

/**
 * Mean compensation against ONNX Runtime: channels that are constant (their incoming weights zero,
 * their bias or BatchNormalization shift not) are removed without changing any output once their
 * means moved into the consumers, through a Conv's bias, a BatchNormalization's running mean, a
 * MatMul's bias Add and a new Conv bias; for channels that vary, the logits keep their mean.
 */
class MeanCompensationTest {

  @Test
  void constantChannelsAreRemovedWithoutChangingTheOutputs() throws Exception {
    Net n = new Net(21, 3, 5, 5);
    String a = n.op("Relu", n.conv("x", "a", 3, 6, 1, 1, true));
    String b = n.op("Relu", n.batchNorm(n.conv(a, "b", 6, 5, 1, 1, false), "bn", 5));
    String q = n.op("Relu", n.conv(a, "q", 6, 4, 1, 1, false));
    String g = n.op("Relu", n.gemm(n.op("Flatten", n.op("Add", b, n.conv(q, "r", 4, 5, 1, 1, true))), "g", 125, 8));
    ModelProto m = n.finish(n.op("Add", n.op("MatMul", g, n.weight("mm", 8, 4)), n.weight("mm.b", 4)), 4);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    Map<String, int[]> kept = new LinkedHashMap<>();
    kept.put("a.weight", new int[] {0, 2, 5});
    kept.put("b.weight", new int[] {1, 3});
    kept.put("q.weight", new int[] {0, 3});
    kept.put("g.weight", new int[] {1, 2, 4, 6});
    // Zero the dropped channels' incoming weights only: each is then a constant, ReLU(bias) or
    // ReLU(BN(0)), and b and r share channels through the Add, so r's rows go too.
    ModelProto constant = m;
    for (String[] w : new String[][] {{"a.weight", "a.weight"}, {"b.weight", "b.weight"}, {"b.weight", "r.weight"},
        {"q.weight", "q.weight"}, {"g.weight", "g.weight"}}) {
      constant = Net.zero(constant, w[1], 0, dropped(groups, kept, w[0]));
    }
    ChannelGroups cg = ChannelGroups.of(constant.toByteArray());
    Dataset data = randomData(300, 75, 4);
    Map<String, Integer> inputs = MeanCompensation.inputs(cg, kept);
    assertEquals(Set.of(a, q, "flatten_" + flattenIndex(m) + ".out", g), inputs.keySet());
    Map<String, double[]> means = MeanCompensation.means(graph(constant.toByteArray()), data, inputs, 300);
    // Independent check: a dropped channel of a is the constant ReLU(a.bias[c]).
    float[] aBias = Net.values(initializer(m, "a.bias"));
    for (int c : dropped(groups, kept, "a.weight")) {
      assertEquals(Math.max(0, aBias[c]), means.get(a)[c], 1e-6);
    }
    MeanCompensation.Result r = MeanCompensation.apply(constant.toByteArray(), cg, kept, means);
    assertEquals(5, r.compensated(), r.skipped().toString());
    assertEquals(List.of(), r.skipped());
    byte[] compensated = ChannelRemoval.apply(r.model(), ChannelGroups.of(r.model()), kept).model();
    byte[] plain = ChannelRemoval.apply(constant.toByteArray(), cg, kept).model();
    float[] x = Net.randomInput(23, 4 * 75);
    long[] shape = {4, 3, 5, 5};
    float[] expected = Net.run(constant.toByteArray(), x, shape);
    float[] got = Net.run(compensated, x, shape);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], got[i], 1e-4 * (1 + Math.abs(expected[i])), "output " + i);
    }
    assertTrue(maxDiff(expected, Net.run(plain, x, shape)) > 1e-2, "removing constants as they are must change outputs");
    // q had no bias and no BatchNormalization of its own: it gained a bias input.
    ModelProto pruned = ModelProto.parseFrom(compensated);
    assertEquals(3, pruned.getGraph().getNodeList().stream().filter(nd -> nd.getName().equals("q")).findFirst()
        .orElseThrow().getInputCount());
  }

  @Test
  void logitsKeepTheirMeanWhenVaryingNeuronsAreRemoved() throws Exception {
    Net n = new Net(31, 12);
    String h = n.op("Relu", n.gemm("x", "h", 12, 16));
    ModelProto m = n.finish(n.gemm(h, "out", 16, 5), 5);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    Map<String, int[]> kept = Map.of("h.weight", IntStream.range(0, 16).filter(c -> c % 3 == 0).toArray());
    Dataset data = randomData(500, 12, 5);
    Map<String, double[]> means = MeanCompensation.means(graph(m.toByteArray()), data,
        MeanCompensation.inputs(groups, kept), 500);
    MeanCompensation.Result r = MeanCompensation.apply(m.toByteArray(), groups, kept, means);
    byte[] compensated = ChannelRemoval.apply(r.model(), ChannelGroups.of(r.model()), kept).model();
    byte[] plain = ChannelRemoval.apply(m.toByteArray(), groups, kept).model();
    long[] shape = {500, 12};
    double[] original = columnMeans(Net.run(m.toByteArray(), data.features(), shape), 5);
    double[] withMeans = columnMeans(Net.run(compensated, data.features(), shape), 5);
    double[] without = columnMeans(Net.run(plain, data.features(), shape), 5);
    double moved = 0;
    for (int k = 0; k < 5; k++) {
      assertEquals(original[k], withMeans[k], 1e-4 * (1 + Math.abs(original[k])), "class " + k);
      moved = Math.max(moved, Math.abs(original[k] - without[k]));
    }
    assertTrue(moved > 1e-2, "the removed neurons carried a mean: " + moved);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static int[] dropped(ChannelGroups groups, Map<String, int[]> kept, String id) {
    List<Integer> k = java.util.Arrays.stream(kept.get(id)).boxed().toList();
    return IntStream.range(0, groups.get(id).channels()).filter(c -> !k.contains(c)).toArray();
  }

  private static int flattenIndex(ModelProto m) {
    return Integer.parseInt(m.getGraph().getNodeList().stream().filter(nd -> nd.getOpType().equals("Flatten"))
        .findFirst().orElseThrow().getName().substring("flatten_".length()));
  }

  private static onnx.Onnx.TensorProto initializer(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
  }

  private static nnzip.train.TrainingGraph graph(byte[] onnx) {
    return new GraphSetup(onnx, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build();
  }

  private static Dataset randomData(int count, int dim, int classes) {
    return new Dataset(Net.randomInput(count, count * dim), new int[count], count, dim, classes);
  }

  private static double[] columnMeans(float[] v, int k) {
    double[] s = new double[k];
    for (int i = 0; i < v.length; i++) {
      s[i % k] += v[i] / (double) (v.length / k);
    }
    return s;
  }

  private static double maxDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }
}
