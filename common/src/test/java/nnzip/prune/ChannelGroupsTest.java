package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.model.Architecture;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;

/** Groups that cannot be pruned safely are left whole with a reason; bad input fails in one line. */
class ChannelGroupsTest {

  /** x [4, 5, 5] → conv "a" (4 → 6) → {@code middle} → conv "c" → GAP → Flatten → Gemm "out". */
  private static ModelProto around(java.util.function.BiFunction<Net, String, String> middle, int channels) {
    Net n = new Net(21, 4, 5, 5);
    String a = n.conv("x", "a", 4, 6, 3, 1, true);
    String m = middle.apply(n, a);
    String c = n.op("Relu", n.conv(m, "c", channels, 5, 3, 1, true));
    return n.finish(n.gemm(n.op("Flatten", n.op("GlobalAveragePool", c)), "out", 5, 3), 3);
  }

  private static void leavesAWholeAndStillPrunesC(ModelProto m, String reasonPart) throws Exception {
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    ChannelGroup a = groups.get("a.weight");
    assertFalse(a.prunable());
    assertTrue(a.refusal().contains(reasonPart), a.refusal());
    assertTrue(groups.get("c.weight").prunable(), groups.get("c.weight").refusal());
    assertThrows(IllegalArgumentException.class,
        () -> ChannelRemoval.apply(m.toByteArray(), groups, Map.of("a.weight", new int[] {0, 1})));
    ChannelRemovalTest.check(m, groups, Map.of("c.weight", new int[] {1, 4}), new long[] {2, 4, 5, 5});
  }

  @Test
  void softmaxOverChannelsLeavesTheGroupWhole() throws Exception {
    leavesAWholeAndStillPrunesC(around((n, a) -> n.op("Softmax", null, List.of(a), Net.integer("axis", 1)), 6),
        "op Softmax");
  }

  @Test
  void transposeLeavesTheGroupWhole() throws Exception {
    leavesAWholeAndStillPrunesC(around((n, a) -> n.op("Transpose", null, List.of(a), Net.ints("perm", 0, 1, 3, 2)), 6),
        "op Transpose");
  }

  @Test
  void groupedConvLeavesItsInputAndOutputWhole() throws Exception {
    ModelProto m = around((n, a) -> n.op("Relu", n.conv(a, "g", 6, 6, 3, 2, true)), 6);
    leavesAWholeAndStillPrunesC(m, "grouped Conv");
    assertTrue(ChannelGroups.of(m.toByteArray()).groups().stream().noneMatch(g -> g.id().equals("g.weight")));
  }

  @Test
  void residualTieToTheGraphInputLeavesTheGroupWhole() throws Exception {
    Net n = new Net(22, 4, 5, 5);
    String s = n.op("Add", n.conv("x", "a", 4, 4, 3, 1, true), "x");
    String c = n.op("Relu", n.conv(s, "c", 4, 5, 3, 1, true));
    ModelProto m = n.finish(n.gemm(n.op("Flatten", n.op("GlobalAveragePool", c)), "out", 5, 3), 3);
    leavesAWholeAndStillPrunesC(m, "cannot be pruned");
  }

  @Test
  void reshapeWithAComputedShapeLeavesTheGroupWhole() throws Exception {
    Net n = new Net(23, 4, 5, 5);
    String a = n.op("Relu", n.conv("x", "a", 4, 6, 3, 1, true));
    String f = n.op("Reshape", a, n.op("Shape", a));
    String c = n.op("Relu", n.conv(f, "c", 6, 5, 3, 1, true));
    ModelProto m = n.finish(n.gemm(n.op("Flatten", n.op("GlobalAveragePool", c)), "out", 5, 3), 3);
    leavesAWholeAndStillPrunesC(m, "op Shape");
  }

  @Test
  void theClassifierOutputIsNeverPruned() {
    ChannelGroups groups = ChannelGroups.of(Architecture.MLP_300_100.build(new int[] {1, 4, 4}, 10, 1).toByteArray());
    assertEquals(List.of(true, true, false), groups.groups().stream().map(ChannelGroup::prunable).toList());
  }

  @Test
  void aGraphWithNothingPrunableIsInvalidInput() {
    Net n = new Net(24, 6);
    ModelProto m = n.finish(n.gemm("x", "out", 6, 3), 3);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ChannelGroups.of(m.toByteArray()));
    assertEquals("nothing to prune: none of the 1 channel groups can be pruned (first, 'out.weight': its channels"
        + " reach the graph output 'y')", e.getMessage());
    Net r = new Net(25, 6);
    ModelProto relu = r.finish(r.op("Relu", "x"), 6);
    assertEquals("nothing to prune: the graph has no Conv, Gemm or MatMul with constant weights",
        assertThrows(InvalidInputException.class, () -> ChannelGroups.of(relu.toByteArray())).getMessage());
    assertThrows(InvalidInputException.class, () -> ChannelGroups.of(new byte[] {1, 2, 3}));
  }

  @Test
  void malformedKeptListsAndAnotherGraphAreRefused() {
    ModelProto m = Architecture.LENET5.build(new int[] {1, 16, 16}, 10, 1);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    byte[] b = m.toByteArray();
    assertThrows(IllegalArgumentException.class, () -> ChannelRemoval.apply(b, groups, Map.of("conv1.weight", new int[] {3, 1})));
    assertThrows(IllegalArgumentException.class, () -> ChannelRemoval.apply(b, groups, Map.of("conv1.weight", new int[] {20})));
    assertThrows(IllegalArgumentException.class, () -> ChannelRemoval.apply(b, groups, Map.of("conv1.weight", new int[0])));
    assertThrows(IllegalArgumentException.class, () -> ChannelRemoval.apply(b, groups, Map.of("nope", new int[] {0})));
    assertThrows(IllegalArgumentException.class, () -> ChannelRemoval.count(groups, Map.of("conv1.weight", 21)));
    byte[] other = Architecture.VGG_SMALL.build(new int[] {1, 8, 8}, 10, 1).toByteArray();
    assertThrows(InvalidInputException.class, () -> ChannelRemoval.apply(other, groups, Map.of()));
  }
}
