package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.graph.OrtReference;
import nnzip.model.Architecture;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/**
 * Reordered channels against ONNX Runtime: the permuted model computes what the original computes,
 * on a chain, BatchNormalization with Flatten into Gemm, residual Adds, and Concat; the L1 order is
 * checked with the scores recomputed here from the weights.
 */
class ChannelPermutationTest {

  @Test
  void lenet5ChainComputesTheSameAfterAnyPermutation() throws Exception {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1), 2);
    byte[] permuted = assertSameOutputs(m, randomOrder(ChannelGroups.of(m.toByteArray()), 3), new long[] {2, 1, 28, 28});
    // The permutation moved the weights: conv1's filters are not where they were.
    assertFalse(Arrays.equals(Net.values(initializer(m, "conv1.weight")),
        Net.values(initializer(ModelProto.parseFrom(permuted), "conv1.weight"))));
  }

  @Test
  void vggSmallBatchNormAndFlattenIntoGemmComputeTheSame() throws Exception {
    ModelProto m = Net.randomize(Architecture.VGG_SMALL.build(new int[] {1, 8, 8}, 10, 5), 6);
    assertSameOutputs(m, randomOrder(ChannelGroups.of(m.toByteArray()), 7), new long[] {2, 1, 8, 8});
  }

  @Test
  void residualResnet20ComputesTheSame() throws Exception {
    ModelProto m = Net.randomize(Architecture.RESNET20.build(new int[] {1, 12, 12}, 10, 3), 4);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    assertEquals(4, groups.get("conv1.weight").producers().size(), "the stem group spans the residual Adds");
    assertSameOutputs(m, randomOrder(groups, 5), new long[] {2, 1, 12, 12});
  }

  @Test
  void concatOffsetsAndFlattenBlocksComputeTheSame() throws Exception {
    ModelProto m = Net.concatAndFlatten();
    assertSameOutputs(m, randomOrder(ChannelGroups.of(m.toByteArray()), 8), new long[] {2, 3, 6, 6});
  }

  @Test
  void byL1PutsEachGroupsChannelsInDecreasingScoreWithTheSameOutputs() throws Exception {
    for (ModelProto m : List.of(Net.randomize(Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1), 2),
        Net.randomize(Architecture.RESNET20.build(new int[] {1, 12, 12}, 10, 3), 4))) {
      long[] shape = m.getGraph().getNodeCount() < 20 ? new long[] {2, 1, 28, 28} : new long[] {2, 1, 12, 12};
      byte[] ordered = ChannelPermutation.byL1(m.toByteArray());
      ModelProto o = ModelProto.parseFrom(ordered);
      float[] x = Net.randomInput(21, (int) Arrays.stream(shape).reduce(1, Math::multiplyExact));
      assertClose(OrtReference.run(m.toByteArray(), x, shape), OrtReference.run(ordered, x, shape));
      for (ChannelGroup g : ChannelGroups.of(m.toByteArray()).prunable()) {
        double[] before = l1(m, g);
        double[] after = l1(o, g);
        for (int c = 1; c < after.length; c++) {
          assertTrue(after[c - 1] >= after[c], g.id() + " channel " + c + ": " + after[c - 1] + " < " + after[c]);
        }
        double[] sorted = before.clone();
        Arrays.sort(sorted);
        double[] descending = new double[sorted.length];
        for (int c = 0; c < sorted.length; c++) {
          descending[c] = sorted[sorted.length - 1 - c];
        }
        assertArrayEquals(descending, after, 1e-9, g.id());
      }
      assertArrayEquals(ordered, ChannelPermutation.byL1(m.toByteArray()), "deterministic");
      assertArrayEquals(ordered, ChannelPermutation.byL1(ordered), "an ordered model stays as it is");
    }
  }

  @Test
  void badOrdersAreRefused() throws Exception {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1), 2);
    byte[] b = m.toByteArray();
    ChannelGroups groups = ChannelGroups.of(b);
    assertThrows(IllegalArgumentException.class, () -> ChannelPermutation.apply(b, groups, Map.of("conv1.weight",
        new int[] {0, 1})));
    int[] twice = new int[20];
    assertThrows(IllegalArgumentException.class, () -> ChannelPermutation.apply(b, groups, Map.of("conv1.weight", twice)));
    assertThrows(IllegalArgumentException.class, () -> ChannelPermutation.apply(b, groups, Map.of("nope", new int[] {0})));
    int[] reversed = new int[10];
    for (int i = 0; i < 10; i++) {
      reversed[i] = 9 - i;
    }
    assertThrows(IllegalArgumentException.class, () -> ChannelPermutation.apply(b, groups, Map.of("fc2.weight",
        reversed)), "the graph output's channels stay in place");
    assertArrayEquals(Net.values(initializer(m, "conv1.weight")), Net.values(initializer(ModelProto.parseFrom(
        ChannelPermutation.apply(b, groups, Map.of())), "conv1.weight")), 0f);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** Permutes, checks the outputs in ONNX Runtime, and returns the permuted model. */
  private static byte[] assertSameOutputs(ModelProto m, Map<String, int[]> order, long[] shape) throws Exception {
    byte[] permuted = ChannelPermutation.apply(m.toByteArray(), ChannelGroups.of(m.toByteArray()), order);
    assertNotEquals(Arrays.hashCode(m.toByteArray()), Arrays.hashCode(permuted));
    float[] x = Net.randomInput(99, (int) Arrays.stream(shape).reduce(1, Math::multiplyExact));
    assertClose(OrtReference.run(m.toByteArray(), x, shape), OrtReference.run(permuted, x, shape));
    assertArrayEquals(permuted, ChannelPermutation.apply(m.toByteArray(), ChannelGroups.of(m.toByteArray()), order));
    return permuted;
  }

  /** A random permutation of each prunable group. */
  private static Map<String, int[]> randomOrder(ChannelGroups groups, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, int[]> out = new LinkedHashMap<>();
    for (ChannelGroup g : groups.prunable()) {
      int[] p = new int[g.channels()];
      for (int i = 0; i < p.length; i++) {
        int j = r.nextInt(i + 1);
        p[i] = p[j];
        p[j] = i;
      }
      out.put(g.id(), p);
    }
    return out;
  }

  /**
   * The group's L1 scores recomputed from the initializers: per producer, each output channel's Σ|w|
   * over its mean (the output axis: 0 for Conv and for Gemm with transB, else 1), averaged over the
   * producers.
   */
  private static double[] l1(ModelProto m, ChannelGroup g) {
    double[] s = new double[g.channels()];
    for (String w : g.producers()) {
      NodeProto n = m.getGraph().getNodeList().stream().filter(x -> x.getInputCount() > 1 && x.getInput(1).equals(w))
          .findFirst().orElseThrow();
      boolean transB = n.getAttributeList().stream().anyMatch(a -> a.getName().equals("transB") && a.getI() == 1);
      int axis = n.getOpType().equals("Gemm") && !transB ? 1 : 0;
      TensorProto t = initializer(m, w);
      float[] v = Net.values(t);
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      long inner = 1;
      for (int d = axis + 1; d < dims.length; d++) {
        inner *= dims[d];
      }
      double[] sum = new double[g.channels()];
      for (int i = 0; i < v.length; i++) {
        sum[(int) ((i / inner) % dims[axis])] += Math.abs(v[i]);
      }
      double mean = Arrays.stream(sum).average().orElseThrow();
      for (int c = 0; c < s.length; c++) {
        s[c] += sum[c] / mean / g.producers().size();
      }
    }
    return s;
  }

  private static TensorProto initializer(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
  }

  private static void assertClose(float[] expected, float[] actual) {
    ChannelRemovalTest.assertClose(expected, actual);
  }

}
