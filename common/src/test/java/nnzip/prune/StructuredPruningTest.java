package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnzip.model.Architecture;
import nnzip.prune.dirichlet.ChannelSelection;
import nnzip.prune.dirichlet.DirichletGates;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** The budget, the ranking and the gate targets of structured pruning on real graphs. */
class StructuredPruningTest {

  @Test
  void theBudgetHoldsInTheWrittenModelAndNoFurtherChannelFits() {
    for (Architecture arch : new Architecture[] {Architecture.LENET5, Architecture.RESNET20}) {
      ModelProto m = Net.randomize(arch.build(new int[] {1, 16, 16}, 10, 1), 3);
      ChannelGroups groups = ChannelGroups.of(m.toByteArray());
      List<ChannelSelection.Group> sel = StructuredPruning.selectionGroups(groups);
      List<double[]> scores = ChannelSelection.randomScores(sel, 7);
      long total = StructuredPruning.totalParameters(ChannelRemoval.count(groups, Map.of()));
      long fixed = Net.floatParameters(m) - total; // float tensors outside the weighted layers
      for (double keep : new double[] {0.1, 0.3, 0.7}) {
        List<int[]> kept = StructuredPruning.select(groups, scores, keep);
        ChannelRemoval.Result r = ChannelRemoval.apply(m.toByteArray(), groups, StructuredPruning.keptById(groups, kept));
        long written = Net.floatParameters(parse(r.model())) - fixed; // counted from the file, not the table
        assertTrue(written <= keep * total, arch + " keep " + keep + ": " + written + " of " + total);
        // Maximal: the best channel left out anywhere (the next in the global ranking) breaks the budget.
        int bestGroup = -1;
        int bestChannel = -1;
        for (int g = 0; g < kept.size(); g++) {
          int c = bestDropped(scores.get(g), kept.get(g));
          if (c >= 0 && (bestGroup < 0 || scores.get(g)[c] > scores.get(bestGroup)[bestChannel])) {
            bestGroup = g;
            bestChannel = c;
          }
        }
        if (bestGroup >= 0) {
          Map<String, Integer> counts = new HashMap<>();
          for (int h = 0; h < kept.size(); h++) {
            counts.put(groups.prunable().get(h).id(), kept.get(h).length + (h == bestGroup ? 1 : 0));
          }
          long more = StructuredPruning.keptParameters(ChannelRemoval.count(groups, counts));
          assertTrue(more > keep * total, arch + " keep " + keep + ": the next channel still fits");
        }
      }
    }
  }

  @Test
  void aFlopsBudgetHoldsInTheWrittenModel() {
    for (Architecture arch : new Architecture[] {Architecture.LENET5, Architecture.RESNET20}) {
      ModelProto m = Net.randomize(arch.build(new int[] {1, 16, 16}, 10, 1), 3);
      ChannelGroups groups = ChannelGroups.of(m.toByteArray());
      List<double[]> scores = ChannelSelection.randomScores(StructuredPruning.selectionGroups(groups), 7);
      long flops = flops(ChannelRemoval.count(groups, Map.of()));
      for (StructuredPruning.Allocation allocation : StructuredPruning.Allocation.values()) {
        for (double keepFlops : new double[] {0.2, 0.5}) {
          List<int[]> kept = StructuredPruning.select(groups, scores, new PruneBudget(1, keepFlops), allocation);
          ChannelRemoval.Result r = ChannelRemoval.apply(m.toByteArray(), groups,
              StructuredPruning.keptById(groups, kept));
          // Counted again on the written graph, as a model of its own.
          long written = flops(ChannelRemoval.count(ChannelGroups.of(parse(r.model()).toByteArray()), Map.of()));
          assertTrue(written <= keepFlops * flops, arch + " " + allocation + " keep-flops " + keepFlops + ": "
              + written + " of " + flops);
          assertTrue(written > 0.5 * keepFlops * flops, arch + " " + allocation + ": far below the budget, " + written);
        }
      }
    }
  }

  /**
   * Folding the gates' point-estimate scales into their targets gives, in ONNX Runtime, what the
   * training engine computes for the gated network (GatedWeight's decode): a chain and a residual
   * graph with BatchNormalization (its scale and shift are the targets there), weights in
   * initializers and in Paddle-style Constant nodes; removing channels afterwards then starts from it.
   */
  @Test
  void foldedGateScalesGiveTheGatedNetworkInOnnxRuntime() throws Exception {
    for (Architecture arch : new Architecture[] {Architecture.LENET5, Architecture.RESNET20}) {
      ModelProto m = Net.randomize(arch.build(new int[] {1, 16, 16}, 10, 1), 5);
      ChannelGroups groups = ChannelGroups.of(m.toByteArray());
      java.util.Set<String> stats = nnzip.graph.BatchNormWeights.runningStatistics(m);
      nnzip.train.TrainingGraph plain = new nnzip.train.GraphSetup(m.toByteArray(),
          nnzip.train.WeightPlan.allTrainable(stats), nnzip.graph.GraphMode.INFERENCE).build();
      nnzip.train.ParameterValues weights = plain.values();
      Map<String, long[]> shapes = new HashMap<>();
      Map<String, float[]> byName = new HashMap<>();
      for (int i = 0; i < weights.names().size(); i++) {
        shapes.put(weights.names().get(i), weights.shapes().get(i));
        byName.put(weights.names().get(i), weights.values()[i]);
      }
      List<DirichletGates.Gate> gates = StructuredPruning.gates(groups, shapes);
      nnzip.prune.dirichlet.GateSettings settings = new nnzip.prune.dirichlet.GateSettings(0.5, 0, 2.0, 3);
      nnzip.train.TrainingGraph gated = new nnzip.train.GraphSetup(m.toByteArray(),
          DirichletGates.plan(gates, weights, stats, settings), nnzip.graph.GraphMode.INFERENCE).build();
      nnzip.train.ParameterValues p = gated.values();
      java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
      for (String name : p.names()) {
        float[] v = p.get(name);
        if (name.startsWith("nnzip.gate:")) {
          for (int c = 0; c < v.length / 2; c++) {
            v[c] = (float) rng.nextDouble(-2, 2); // uneven gates; the noise slots stay ≤ 0: point estimate
          }
        }
      }
      gated.setValues(p);
      List<double[]> estimates = new DirichletGates(gates, settings).pointEstimates(p);
      Map<String, double[]> byGate = new HashMap<>();
      for (int i = 0; i < gates.size(); i++) {
        byGate.put(gates.get(i).name(), ChannelSelection.gateScores(estimates.get(i)));
      }
      List<double[]> scales = new ArrayList<>();
      for (ChannelGroup g : groups.prunable()) {
        scales.add(byGate.getOrDefault(g.id(), new double[] {1}));
      }
      Map<String, float[]> folded = StructuredPruning.foldScales(groups, byName, shapes, scales);
      assertTrue(folded.size() >= 2 * gates.size() - 1, arch + ": " + folded.keySet());
      Map<String, byte[]> bytes = new HashMap<>();
      folded.forEach((k, v) -> bytes.put(k, nnzip.artifact.ArtifactWriter.floatBytes(v)));
      int n = 3;
      float[] x = Net.randomInput(4, n * 16 * 16);
      float[] expected = gated.logits(x, n);
      for (ModelProto source : new ModelProto[] {m, Net.asConstantNodes(m)}) {
        byte[] model = nnzip.io.onnx.OnnxModelFile.replaceWeights(source, bytes).toByteArray();
        float[] got = Net.run(model, x, n, 1, 16, 16);
        float scale = 0;
        for (float e : expected) {
          scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(scale > 0, arch + ": outputs are not all zero");
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], got[i], 1e-4 * scale + 1e-5, arch + " output " + i);
        }
        float[] unscaled = Net.run(source.toByteArray(), x, n, 1, 16, 16);
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
          diff = Math.max(diff, Math.abs(unscaled[i] - expected[i]));
        }
        assertTrue(diff > 1e-2 * scale, arch + ": the gates change the outputs");
      }
    }
  }

  private static long flops(List<LayerStats> layers) {
    return layers.stream().mapToLong(LayerStats::flopsBefore).sum();
  }

  @Test
  void withinAGroupEveryKeptChannelOutranksEveryDroppedOne() {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 16, 16}, 10, 1), 5);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    List<double[]> scores = ChannelSelection.randomScores(StructuredPruning.selectionGroups(groups), 11);
    List<int[]> kept = StructuredPruning.select(groups, scores, 0.25);
    for (int g = 0; g < kept.size(); g++) {
      double lowestKept = Double.POSITIVE_INFINITY;
      for (int c : kept.get(g)) {
        lowestKept = Math.min(lowestKept, scores.get(g)[c]);
      }
      int dropped = bestDropped(scores.get(g), kept.get(g));
      assertTrue(dropped < 0 || scores.get(g)[dropped] <= lowestKept, "group " + g);
      assertTrue(kept.get(g).length >= 1);
    }
  }

  @Test
  void uniformAllocationKeepsTheSameFractionOfEveryLayerWithinTheBudget() {
    ModelProto m = Net.randomize(Architecture.LENET5.build(new int[] {1, 16, 16}, 10, 1), 5);
    ChannelGroups groups = ChannelGroups.of(m.toByteArray());
    List<double[]> scores = ChannelSelection.randomScores(StructuredPruning.selectionGroups(groups), 13);
    long total = StructuredPruning.totalParameters(ChannelRemoval.count(groups, Map.of()));
    List<int[]> kept = StructuredPruning.select(groups, scores, PruneBudget.ofParameters(0.2), StructuredPruning.Allocation.UNIFORM);
    Map<String, int[]> byId = StructuredPruning.keptById(groups, kept);
    Map<String, Integer> counts = new HashMap<>();
    byId.forEach((id, k) -> counts.put(id, k.length));
    assertTrue(StructuredPruning.keptParameters(ChannelRemoval.count(groups, counts)) <= 0.2 * total);
    double f = -1;
    for (int g = 0; g < kept.size(); g++) {
      int c = groups.prunable().get(g).channels();
      double frac = (double) kept.get(g).length / c;
      // floor(f·C) for one f: every fraction lies within one channel of the others'.
      if (f >= 0) {
        assertEquals(f, frac, 1.0 / Math.min(c, 20) + 1e-9, "group " + g);
      }
      f = frac;
      int dropped = bestDropped(scores.get(g), kept.get(g));
      assertTrue(dropped < 0 || scores.get(g)[dropped] <= lowestKept(scores.get(g), kept.get(g)),
          "a layer keeps its best channels: group " + g);
    }
  }

  private static double lowestKept(double[] scores, int[] kept) {
    double low = Double.POSITIVE_INFINITY;
    for (int c : kept) {
      low = Math.min(low, scores[c]);
    }
    return low;
  }

  @Test
  void gatesScaleEachProducersWeightAndBiasOrTheBatchNormThatFollows() {
    ModelProto lenet = Architecture.LENET5.build(new int[] {1, 16, 16}, 10, 1);
    ChannelGroups groups = ChannelGroups.of(lenet.toByteArray());
    List<DirichletGates.Gate> gates = StructuredPruning.gates(groups, shapes(lenet));
    assertEquals(groups.prunable().size(), gates.size());
    for (DirichletGates.Gate g : gates) {
      String producer = groups.get(g.name()).producers().get(0);
      assertTrue(g.targets().containsKey(producer), g.toString());
      long[] shape = shapes(lenet).get(producer);
      assertEquals(g.channels(), shape[g.targets().get(producer)], "the gated axis holds the channels: " + g);
    }
    // resnet20: convolutions feed BatchNormalization, so the gates sit on its scale and shift.
    ModelProto resnet = Architecture.RESNET20.build(new int[] {1, 16, 16}, 10, 1);
    ChannelGroups rg = ChannelGroups.of(resnet.toByteArray());
    Map<String, long[]> rs = shapes(resnet);
    for (DirichletGates.Gate g : StructuredPruning.gates(rg, rs)) {
      for (String producer : rg.get(g.name()).producers()) {
        assertTrue(!g.targets().containsKey(producer), "a conv before BatchNorm is not gated itself: " + g);
      }
      g.targets().forEach((w, axis) -> assertEquals(g.channels(), rs.get(w)[axis], w));
    }
  }

  private static int bestDropped(double[] scores, int[] kept) {
    boolean[] in = new boolean[scores.length];
    for (int c : kept) {
      in[c] = true;
    }
    int best = -1;
    for (int c = 0; c < scores.length; c++) {
      if (!in[c] && (best < 0 || scores[c] > scores[best])) {
        best = c;
      }
    }
    return best;
  }

  private static Map<String, long[]> shapes(ModelProto m) {
    Map<String, long[]> out = new HashMap<>();
    for (TensorProto t : m.getGraph().getInitializerList()) {
      out.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }
    return out;
  }

  private static ModelProto parse(byte[] b) {
    try {
      return ModelProto.parseFrom(b);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
