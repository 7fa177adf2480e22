package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import nnzip.model.Architecture;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.Test;

/**
 * Physical channel removal against ONNX Runtime: the pruned model computes what the original
 * computes once the dropped channels are zeroed (zeroed here by tensor name, apart from the plan).
 */
class ChannelRemovalTest {

  /** A tensor axis whose dropped channels the test zeroes: {@code (tensor, axis)} per group. */
  record Out(String tensor, int axis) {}

  @Test
  void lenet5ChainPrunedEqualsZeroedInOnnxRuntime() throws Exception {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1), 2);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    assertEquals(List.of("conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight"),
        groups.groups().stream().map(ChannelGroup::id).toList());
    assertFalse(groups.get("fc2.weight").prunable());
    assertTrue(groups.get("fc2.weight").refusal().contains("graph output"), groups.get("fc2.weight").refusal());
    Map<String, int[]> kept = Map.of("conv1.weight", new int[] {0, 3, 4, 9, 17}, "conv2.weight",
        IntStream.range(0, 50).filter(c -> c % 3 == 0).toArray(), "fc1.weight", IntStream.range(0, 500).filter(c -> c % 7 == 2).toArray());
    ChannelRemoval.Result r = check(m, groups, kept, new long[] {2, 1, 28, 28});

    List<LayerStats> rows = r.layers();
    assertEquals(List.of("conv1", "conv2", "fc1", "fc2"), rows.stream().map(LayerStats::layer).toList());
    ModelProto pruned = ModelProto.parseFrom(r.model());
    assertEquals(Net.floatParameters(pruned), rows.stream().mapToLong(LayerStats::paramsAfter).sum());
    assertEquals(Net.floatParameters(m), rows.stream().mapToLong(LayerStats::paramsBefore).sum());
    int k2 = kept.get("conv2.weight").length;
    int k3 = kept.get("fc1.weight").length;
    // Closed forms: conv2 maps 5 kept of 20 to k2 of 50 over 8×8 outputs; fc1 reads k2·4·4 features.
    assertEquals(2L * k2 * 5 * 25 * 8 * 8, rows.get(1).flopsAfter());
    assertEquals(2L * 50 * 20 * 25 * 8 * 8, rows.get(1).flopsBefore());
    assertEquals(2L * k3 * k2 * 16, rows.get(2).flopsAfter());
    assertEquals((long) k2 * 16 * k3 + k3, rows.get(2).paramsAfter());
    assertEquals(k3, rows.get(2).channelsAfter());
    assertEquals(rows, ChannelRemoval.count(groups, Map.of("conv1.weight", 5, "conv2.weight", k2, "fc1.weight", k3)));
  }

  @Test
  void residualResnet20TiesBranchesAndPrunesThemTogether() throws Exception {
    ModelProto m = Net.randomize(Architecture.RESNET20.build(new int[] {1, 12, 12}, 10, 3), 4);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    ChannelGroup stem = groups.get("conv1.weight");
    assertEquals(List.of("conv1.weight", "layer1.0.conv2.weight", "layer1.1.conv2.weight", "layer1.2.conv2.weight"),
        stem.producers());
    assertEquals(List.of("bn1.out", "layer1.0.bn2.out", "layer1.1.bn2.out", "layer1.2.bn2.out"), stem.gateTensors());
    assertEquals(List.of("layer2.0.conv2.weight", "layer2.0.shortcut.0.weight", "layer2.1.conv2.weight",
        "layer2.2.conv2.weight"), groups.get("layer2.0.conv2.weight").producers());
    assertTrue(stem.prunable(), stem.refusal());
    // 1 stem+stage-1 group, 9 inner block convs, 2 more stage groups, fc: 13.
    assertEquals(13, groups.groups().size());
    assertEquals(12, groups.prunable().size());
    Map<String, int[]> kept = randomKept(groups, 5);
    ChannelRemoval.Result r = check(m, groups, kept, new long[] {2, 1, 12, 12});
    assertEquals(Net.floatParameters(ModelProto.parseFrom(r.model())),
        r.layers().stream().mapToLong(LayerStats::paramsAfter).sum());
  }

  @Test
  void vggSmallBatchNormAndFlattenIntoGemm() throws Exception {
    ModelProto m = Net.randomize(Architecture.VGG_SMALL.build(new int[] {1, 8, 8}, 10, 5), 6);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    assertEquals(5, groups.prunable().size());
    check(m, groups, randomKept(groups, 7), new long[] {2, 1, 8, 8});
  }

  @Test
  void concatOffsetsAndFlattenBlocksFollowEachBranch() throws Exception {
    ModelProto m = Net.concatAndFlatten();
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    assertEquals(List.of("c.weight", "g.weight"), groups.get("c.weight").producers());
    Map<String, int[]> kept = Map.of("a.weight", new int[] {1, 3}, "b.weight", new int[] {0, 2, 4},
        "c.weight", new int[] {0, 1, 5});
    check(m, groups, kept, new long[] {2, 3, 6, 6});
  }

  @Test
  void depthwiseConvShrinksItsGroupAndReshapeConstantIntoMatMul() throws Exception {
    Net n = new Net(9, 2, 5, 5);
    String p = n.op("Relu", n.conv("x", "p", 2, 6, 3, 1, false));
    String d = n.op("Relu", n.conv(p, "dw", 6, 6, 3, 6, true));
    String f = n.op("Reshape", d, n.longs("shape", -1, 6 * 25));
    String h = n.op("Relu", n.op("Add", n.op("MatMul", f, n.weight("mm1", 150, 12)), n.weight("mm1.b", 12)));
    ModelProto m = n.finish(n.op("MatMul", h, n.weight("mm2", 12, 4)), 4);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    assertEquals(List.of("p.weight", "mm1", "mm2"), groups.groups().stream().map(ChannelGroup::id).toList());
    Map<String, int[]> kept = Map.of("p.weight", new int[] {1, 2, 5}, "mm1", new int[] {0, 4, 5, 6, 11});
    ChannelRemoval.Result r = check(m, groups, kept, new long[] {3, 2, 5, 5});
    nnzip.io.onnx.OnnxProto.Model pruned = nnzip.io.onnx.OnnxProto.Model.parse(r.model(), "pruned");
    nnzip.io.onnx.OnnxProto.Node dw = pruned.getGraph().getNodeList().stream().filter(x -> x.getName().equals("dw"))
        .findFirst().orElseThrow();
    assertEquals(3, GraphView.integer(dw, "group", 1));
    assertEquals(3L, r.layers().get(1).channelsAfter());
    GraphView v = new GraphView(pruned.getGraph());
    assertArrayEquals(new long[] {-1, 3 * 25}, v.integers("shape"));
    assertArrayEquals(new long[] {3 * 25, 5}, v.dims("mm1"));
    assertArrayEquals(new long[] {5}, v.dims("mm1.b"));
  }

  @Test
  void weightsInConstantNodesArePrunedLikeInitializers() throws Exception {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 16, 16}, 10, 1), 2);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    Map<String, int[]> kept = randomKept(groups, 11);
    ModelProto zeroed = zeroDropped(m, groups, kept);
    ModelProto paddle = Net.asConstantNodes(m);
    ChannelGroups pg = ChannelGroups.of(paddle.toByteArray());
    assertEquals(groups.groups(), pg.groups());
    ChannelRemoval.Result r = ChannelRemoval.apply(paddle.toByteArray(), pg, kept);
    float[] x = Net.randomInput(12, 2 * 256);
    long[] shape = {2, 1, 16, 16};
    assertClose(Net.run(zeroed.toByteArray(), x, shape), Net.run(r.model(), x, shape));
    assertTrue(r.model().length < paddle.toByteArray().length * 0.8);
  }

  @Test
  void prunedDiffersFromUnprunedOnlyThroughTheDroppedChannels() throws Exception {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 16, 16}, 10, 1), 2);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    float[] x = Net.randomInput(13, 256);
    long[] shape = {1, 1, 16, 16};
    byte[] pruned = ChannelRemoval.apply(m.toByteArray(), groups, randomKept(groups, 14)).model();
    // Real channels were dropped, so the output moves; check() shows it moves exactly as zeroing does.
    assertNotEquals(Net.run(m.toByteArray(), x, shape)[0], Net.run(pruned, x, shape)[0]);
    byte[] whole = ChannelRemoval.apply(m.toByteArray(), groups, Map.of()).model();
    assertArrayEquals(Net.run(m.toByteArray(), x, shape), Net.run(whole, x, shape), 0f);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** Half of each prunable group's channels (at least one), chosen at random. */
  static Map<String, int[]> randomKept(ChannelGroups groups, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, int[]> kept = new LinkedHashMap<>();
    for (ChannelGroup g : groups.prunable()) {
      int[] k = IntStream.range(0, g.channels()).filter(c -> r.nextBoolean()).toArray();
      kept.put(g.id(), k.length == 0 ? new int[] {g.channels() - 1} : k);
    }
    return kept;
  }

  /**
   * Removes {@code kept}'s complement from the original and from the zeroed model, and checks both
   * against the zeroed model in ONNX Runtime.
   */
  static ChannelRemoval.Result check(ModelProto m, ChannelGroups groups, Map<String, int[]> kept, long[] shape)
      throws Exception {
    ModelProto zeroed = zeroDropped(m, groups, kept);
    float[] x = Net.randomInput(99, (int) java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact));
    float[] expected = Net.run(zeroed.toByteArray(), x, shape);
    ChannelRemoval.Result fromZeroed = ChannelRemoval.apply(zeroed.toByteArray(), groups, kept);
    assertClose(expected, Net.run(fromZeroed.model(), x, shape));
    ChannelRemoval.Result fromOriginal = ChannelRemoval.apply(m.toByteArray(), groups, kept);
    assertClose(expected, Net.run(fromOriginal.model(), x, shape));
    assertTrue(fromOriginal.model().length < m.toByteArray().length);
    return fromOriginal;
  }

  /**
   * Zeroes the dropped channels on the output side only, found from the graph by the test: each
   * producer's weight rows and bias, then any BatchNormalization scale and shift, depthwise Conv
   * weight and bias, or MatMul's bias Add that directly follows. Zero channels then contribute
   * nothing downstream, so removing them must not change the outputs.
   */
  static ModelProto zeroDropped(ModelProto m, ChannelGroups groups, Map<String, int[]> kept) {
    for (Map.Entry<String, int[]> e : kept.entrySet()) {
      int channels = groups.get(e.getKey()).channels();
      List<Integer> keep = java.util.Arrays.stream(e.getValue()).boxed().toList();
      int[] drop = IntStream.range(0, channels).filter(c -> !keep.contains(c)).toArray();
      for (String w : groups.get(e.getKey()).producers()) {
        for (Out o : outputSide(m, w)) {
          m = Net.zero(m, o.tensor(), o.axis(), drop);
        }
      }
    }
    return m;
  }

  private static List<Out> outputSide(ModelProto m, String weight) {
    List<Out> out = new ArrayList<>();
    Map<String, NodeProto> byInput = new HashMap<>();
    m.getGraph().getNodeList().forEach(n -> byInput.putIfAbsent(n.getInput(0), n));
    NodeProto p = m.getGraph().getNodeList().stream().filter(n -> n.getInputCount() > 1 && n.getInput(1).equals(weight))
        .findFirst().orElseThrow();
    int axis = p.getOpType().equals("MatMul") || (p.getOpType().equals("Gemm") && attribute(p, "transB", 0) == 0) ? 1 : 0;
    out.add(new Out(weight, axis));
    if (p.getInputCount() > 2) {
      out.add(new Out(p.getInput(2), 0));
    }
    NodeProto next = byInput.get(p.getOutput(0));
    while (next != null) {
      if (next.getOpType().equals("BatchNormalization")) {
        out.add(new Out(next.getInput(1), 0));
        out.add(new Out(next.getInput(2), 0));
      } else if (next.getOpType().equals("Conv") && attribute(next, "group", 1) > 1 && next.getInputCount() > 2) {
        out.add(new Out(next.getInput(2), 0));
      } else if (next.getOpType().equals("Add") && isVector(m, next.getInput(1))) {
        out.add(new Out(next.getInput(1), 0));
      } else if (!next.getOpType().equals("Relu")) {
        break;
      }
      next = byInput.get(next.getOutput(0));
    }
    return out;
  }

  private static boolean isVector(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals(name) && t.getDimsCount() == 1);
  }

  static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    float scale = 1e-6f;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertArrayEquals(expected, actual, 1e-4f * scale);
  }

  private static long attribute(NodeProto n, String name, long dflt) {
    return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).mapToLong(a -> a.getI()).findFirst()
        .orElse(dflt);
  }
}
