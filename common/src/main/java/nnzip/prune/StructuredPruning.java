package nnzip.prune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.prune.dirichlet.ChannelSelection;
import nnzip.prune.dirichlet.DirichletGates;
import nnzip.io.onnx.OnnxProto.Node;

/**
 * The model side of structured pruning, between the channel groups of a graph ({@link
 * ChannelGroups}) and the choice of channels ({@link ChannelSelection}): the Dirichlet gate of each
 * prunable group (the weights whose output-channel slices scale the group's channels linearly: each
 * producer's weight and bias, or the scale and shift of the BatchNormalization that follows it, since
 * a batch-normalized channel would normalize a scaled weight away), the parameters one channel of a
 * group removes, and the L1 scores of the baseline.
 */
public final class StructuredPruning {
  private StructuredPruning() {}

  /** The prunable groups as the selection sees them, in {@link ChannelGroups#prunable} order. */
  public static List<ChannelSelection.Group> selectionGroups(ChannelGroups groups) {
    long all = totalParameters(ChannelRemoval.count(groups, Map.of()));
    List<ChannelSelection.Group> out = new ArrayList<>();
    for (ChannelGroup g : groups.prunable()) {
      long perChannel = all - totalParameters(ChannelRemoval.count(groups, Map.of(g.id(), g.channels() - 1)));
      out.add(new ChannelSelection.Group(g.channels(), Math.max(1, perChannel)));
    }
    return out;
  }

  /** Σ parameters of a layer table (before removal). */
  public static long totalParameters(List<LayerStats> layers) {
    return layers.stream().mapToLong(LayerStats::paramsBefore).sum();
  }

  /** Σ parameters after removal. */
  public static long keptParameters(List<LayerStats> layers) {
    return layers.stream().mapToLong(LayerStats::paramsAfter).sum();
  }

  /**
   * The Dirichlet gate of every prunable group with at least two channels (a single channel cannot
   * be ranked), in {@link ChannelGroups#prunable} order; the gate's name is the group's id.
   *
   * @param shapes the shapes of the model's trainable weights by key, as the training graph names them
   * @throws InvalidInputException if a gate tensor's producer is not a Conv, Gemm, MatMul or
   *     BatchNormalization with constant weights
   */
  public static List<DirichletGates.Gate> gates(ChannelGroups groups, Map<String, long[]> shapes) {
    List<DirichletGates.Gate> out = new ArrayList<>();
    GateTargets.of(groups, shapes).forEach((id, targets) -> out.add(new DirichletGates.Gate(id,
        groups.get(id).channels(), targets)));
    return out;
  }

  /**
   * The gate targets of every gated group with each channel's slice multiplied by its scale: the
   * weights of the gated network at the gates' point estimate (s = C·g), so removing channels from
   * them starts from what the gates were trained in, not from the unscaled original.
   *
   * @param weights weight values by key (not changed); {@code shapes} their shapes
   * @param scales per prunable group in {@link ChannelGroups#prunable} order, one scale per channel
   *     (a group without a gate, of one channel, is left as it is)
   * @return the scaled copies of the target weights by key
   */
  public static Map<String, float[]> foldScales(ChannelGroups groups, Map<String, float[]> weights,
      Map<String, long[]> shapes, List<double[]> scales) {
    Map<String, Map<String, Integer>> targets = GateTargets.of(groups, shapes);
    Map<String, float[]> out = new LinkedHashMap<>();
    List<ChannelGroup> prunable = groups.prunable();
    for (int gi = 0; gi < prunable.size(); gi++) {
      Map<String, Integer> t = targets.get(prunable.get(gi).id());
      if (t == null) {
        continue;
      }
      double[] s = scales.get(gi);
      t.forEach((key, axis) -> {
        long[] shape = shapes.get(key);
        if (shape[axis] != s.length) {
          throw new IllegalArgumentException("weight '" + key + "' has " + shape[axis] + " channels on axis " + axis
              + ", its group " + s.length + " scales");
        }
        nnzip.codec.TensorLayout layout = nnzip.codec.TensorLayout.alongAxis(
            new nnzip.tensor.TensorSpec(key, nnzip.tensor.DType.F32, shape), axis);
        float[] w = weights.get(key).clone();
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (w[i] * s[layout.channelOf(i)]);
        }
        out.put(key, w);
      });
    }
    return out;
  }

  /**
   * The L1 scores of each prunable group: the mean over its producers of each filter's L1 norm
   * relative to its layer's mean (Li et al. 2017).
   *
   * @param weights weight values by key; {@code shapes} their shapes
   */
  public static List<double[]> l1Scores(ChannelGroups groups, Map<String, float[]> weights,
      Map<String, long[]> shapes) {
    Map<String, Node> consumerOfWeight = new HashMap<>();
    for (Node n : groups.model().getGraph().getNodeList()) {
      if (n.getInputCount() > 1) {
        consumerOfWeight.putIfAbsent(n.getInput(1), n);
      }
    }
    List<double[]> out = new ArrayList<>();
    for (ChannelGroup g : groups.prunable()) {
      double[] sum = new double[g.channels()];
      for (String w : g.producers()) {
        Node n = consumerOfWeight.get(w);
        long[] shape = shapes.get(w);
        if (shape == null || weights.get(w) == null) {
          throw new InvalidInputException("group '" + g.id() + "': weight '" + w + "' is not a float weight");
        }
        int axis = n != null && n.getOpType().equals("Gemm") ? (transB(n) ? 0 : 1)
            : n != null && n.getOpType().equals("MatMul") ? shape.length - 1 : 0;
        double[] s = ChannelSelection.l1Scores(weights.get(w), shape, axis);
        for (int c = 0; c < sum.length; c++) {
          sum[c] += s[c] / g.producers().size();
        }
      }
      out.add(sum);
    }
    return out;
  }

  /**
   * The channels to keep so that the weighted layers hold at most {@code keep} × their parameters,
   * counted exactly after removal ({@link ChannelRemoval#count}: a channel removed from one layer
   * also shrinks the inputs of the next, so per-channel counts alone would overshoot): the channels
   * of highest score across all groups, each group keeping at least its best one. Ties break by
   * group order, then channel index, so the choice is deterministic.
   *
   * @param scores per prunable group (in {@link ChannelGroups#prunable} order) its C scores, higher =
   *     more important, comparable across groups
   * @return per prunable group its kept channels, ascending
   * @throws IllegalArgumentException if keep is outside (0, 1] or a score list has the wrong length
   */
  public static List<int[]> select(ChannelGroups groups, List<double[]> scores, double keep) {
    return select(groups, scores, PruneBudget.ofParameters(keep), Allocation.GLOBAL);
  }

  /** How the budget is spread over the groups. */
  public enum Allocation {
    /** One ranking over all groups: a group keeps what its scores win against every other group's. */
    GLOBAL,
    /**
     * Every group keeps the same fraction of its channels (the largest that fits, at least one
     * channel each), its best by score: the methods then differ only in which channels a layer keeps.
     */
    UNIFORM
  }

  /**
   * As {@link #select(ChannelGroups, List, double)}, within a budget of parameters and FLOPs, spread
   * as {@code allocation} says.
   */
  public static List<int[]> select(ChannelGroups groups, List<double[]> scores, PruneBudget budget,
      Allocation allocation) {
    if (allocation == Allocation.UNIFORM) {
      return selectUniform(groups, scores, budget);
    }
    List<ChannelGroup> p = groups.prunable();
    if (scores.size() != p.size()) {
      throw new IllegalArgumentException(p.size() + " prunable groups but " + scores.size() + " score lists");
    }
    List<int[]> order = new ArrayList<>(); // {group, channel}, best first; each group's best is forced
    List<int[]> forced = new ArrayList<>();
    for (int g = 0; g < p.size(); g++) {
      double[] sc = scores.get(g);
      if (sc.length != p.get(g).channels()) {
        throw new IllegalArgumentException("group '" + p.get(g).id() + "' has " + p.get(g).channels()
            + " channels but " + sc.length + " scores");
      }
      int best = 0;
      for (int c = 1; c < sc.length; c++) {
        if (sc[c] > sc[best]) {
          best = c;
        }
      }
      forced.add(new int[] {g, best});
      for (int c = 0; c < sc.length; c++) {
        if (c != best) {
          order.add(new int[] {g, c});
        }
      }
    }
    order.sort((a, b) -> {
      int byScore = Double.compare(scores.get(b[0])[b[1]], scores.get(a[0])[a[1]]);
      return byScore != 0 ? byScore : a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
    });
    int lo = 0; // the longest prefix of order that fits: parameters and FLOPs grow with the prefix
    int hi = order.size();
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (budget.fits(ChannelRemoval.count(groups, counts(p, forced, order, mid)))) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    List<java.util.TreeSet<Integer>> kept = new ArrayList<>();
    for (int g = 0; g < p.size(); g++) {
      kept.add(new java.util.TreeSet<>());
    }
    forced.forEach(f -> kept.get(f[0]).add(f[1]));
    order.subList(0, lo).forEach(o -> kept.get(o[0]).add(o[1]));
    List<int[]> out = new ArrayList<>();
    kept.forEach(k -> out.add(k.stream().mapToInt(Integer::intValue).toArray()));
    return out;
  }

  private static List<int[]> selectUniform(ChannelGroups groups, List<double[]> scores, PruneBudget budget) {
    List<ChannelGroup> p = groups.prunable();
    if (scores.size() != p.size()) {
      throw new IllegalArgumentException(p.size() + " prunable groups but " + scores.size() + " score lists");
    }
    double lo = 0; // the largest fraction whose kept counts fit (parameters and FLOPs grow with it)
    double hi = 1;
    for (int it = 0; it < 40; it++) {
      double mid = (lo + hi) / 2;
      if (budget.fits(ChannelRemoval.count(groups, uniformCounts(p, mid)))) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    Map<String, Integer> counts = uniformCounts(p, lo);
    List<int[]> out = new ArrayList<>();
    for (int g = 0; g < p.size(); g++) {
      double[] sc = scores.get(g);
      if (sc.length != p.get(g).channels()) {
        throw new IllegalArgumentException("group '" + p.get(g).id() + "' has " + p.get(g).channels()
            + " channels but " + sc.length + " scores");
      }
      Integer[] order = new Integer[sc.length];
      for (int c = 0; c < sc.length; c++) {
        order[c] = c;
      }
      java.util.Arrays.sort(order, (a, b) -> sc[b] != sc[a] ? Double.compare(sc[b], sc[a]) : Integer.compare(a, b));
      int n = counts.get(p.get(g).id());
      out.add(java.util.Arrays.stream(order, 0, n).mapToInt(Integer::intValue).sorted().toArray());
    }
    return out;
  }

  private static Map<String, Integer> uniformCounts(List<ChannelGroup> p, double fraction) {
    Map<String, Integer> m = new HashMap<>();
    for (ChannelGroup g : p) {
      m.put(g.id(), Math.max(1, (int) Math.floor(fraction * g.channels())));
    }
    return m;
  }

  private static Map<String, Integer> counts(List<ChannelGroup> p, List<int[]> forced, List<int[]> order, int prefix) {
    int[] n = new int[p.size()];
    forced.forEach(f -> n[f[0]]++);
    for (int i = 0; i < prefix; i++) {
      n[order.get(i)[0]]++;
    }
    Map<String, Integer> m = new HashMap<>();
    for (int g = 0; g < p.size(); g++) {
      m.put(p.get(g).id(), n[g]);
    }
    return m;
  }

  /** Kept channels by group id, from the selection's per-group lists in prunable order. */
  public static Map<String, int[]> keptById(ChannelGroups groups, List<int[]> kept) {
    Map<String, int[]> out = new LinkedHashMap<>();
    List<ChannelGroup> p = groups.prunable();
    for (int i = 0; i < p.size(); i++) {
      out.put(p.get(i).id(), kept.get(i));
    }
    return out;
  }

  private static boolean transB(Node n) {
    return GateTargets.transB(n);
  }

}
