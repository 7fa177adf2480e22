package nnzip.prune.dirichlet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Which channels of each prunable group to keep under a parameter budget, from per-channel scores
 * on a common scale (1 = a channel of average importance in its group): the Dirichlet gates C·g,
 * the filter L1 norms of Li et al. (2017) over their group mean, or seeded random scores. Channels
 * are kept from the highest score down over all groups while their parameters fit the budget, at
 * least one per group, so every method keeps the same number of parameters up to one channel's.
 * Knows nothing of graphs: a group is its channel count and the parameters one channel removes.
 */
public final class ChannelSelection {
  private ChannelSelection() {}

  /** How channels are ranked. */
  public enum Method {
    /** The learned Dirichlet gates, C·g (point estimate). */
    DIRICHLET,
    /** Each filter's L1 norm over the mean of its group's (Li et al. 2017). */
    L1,
    /** Seeded uniform scores. */
    RANDOM;

    /** The method for a config or CLI string (any case). */
    public static Method parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pruning method '" + s + "' is not one of dirichlet, l1, random");
      }
    }
  }

  /**
   * What a Dirichlet channel's score is once its gates are trained.
   */
  public enum GateScore {
    /** Its gate C·g alone, as the paper ranks. */
    GATE,
    /**
     * Its gate times its filter L1 norm (both relative to their group): the L1 norm of the filter
     * in the gated network, whose output the gate scales, so a channel ranks by what it carries
     * there and not by its scale alone.
     */
    GATED_L1
  }

  /**
   * A prunable group.
   *
   * @param channels C, ≥ 1
   * @param parametersPerChannel parameters removed with one channel (its filter and bias, the next
   *     layer's input slice, BatchNorm entries), ≥ 1
   */
  public record Group(int channels, long parametersPerChannel) {
    /** Checks the ranges. */
    public Group {
      if (channels < 1 || parametersPerChannel < 1) {
        throw new IllegalArgumentException("a group needs ≥ 1 channel and ≥ 1 parameter per channel, got "
            + channels + " and " + parametersPerChannel);
      }
    }
  }

  /**
   * The kept channels of each group, ascending.
   *
   * @param groups the groups
   * @param scores per group its C scores (higher = more important), comparable across groups
   * @param keep fraction of the groups' parameters (Σ C·parametersPerChannel) to keep, in (0, 1]
   * @throws IllegalArgumentException if keep is outside (0, 1], a group's scores have the wrong
   *     length, or one channel per group already exceeds the budget
   */
  public static List<int[]> select(List<Group> groups, List<double[]> scores, double keep) {
    if (!(keep > 0 && keep <= 1)) {
      throw new IllegalArgumentException("keep must be in (0, 1], got " + keep);
    }
    if (scores.size() != groups.size()) {
      throw new IllegalArgumentException(groups.size() + " groups but " + scores.size() + " score lists");
    }
    long total = 0;
    long used = 0;
    List<long[]> order = new ArrayList<>(); // {group, channel}
    boolean[][] kept = new boolean[groups.size()][];
    for (int g = 0; g < groups.size(); g++) {
      Group grp = groups.get(g);
      double[] s = scores.get(g);
      if (s.length != grp.channels()) {
        throw new IllegalArgumentException("group " + g + " has " + grp.channels() + " channels but " + s.length
            + " scores");
      }
      total = Math.addExact(total, Math.multiplyExact(grp.channels(), grp.parametersPerChannel()));
      kept[g] = new boolean[grp.channels()];
      int best = 0;
      for (int c = 0; c < s.length; c++) {
        if (Double.isNaN(s[c])) {
          throw new IllegalArgumentException("group " + g + " channel " + c + " has a NaN score");
        }
        best = s[c] > s[best] ? c : best;
        order.add(new long[] {g, c});
      }
      kept[g][best] = true; // a group is never emptied: that would cut the graph
      used += grp.parametersPerChannel();
    }
    double budget = keep * total;
    if (used > budget) {
      throw new IllegalArgumentException("keeping " + keep + " of " + total + " parameters leaves less than one channel"
          + " per group (" + used + " parameters)");
    }
    order.sort(Comparator.comparingDouble((long[] o) -> -scores.get((int) o[0])[(int) o[1]])
        .thenComparingLong(o -> o[0]).thenComparingLong(o -> o[1]));
    for (long[] o : order) {
      int g = (int) o[0];
      int c = (int) o[1];
      long cost = groups.get(g).parametersPerChannel();
      if (!kept[g][c] && used + cost <= budget) {
        kept[g][c] = true;
        used += cost;
      }
    }
    List<int[]> out = new ArrayList<>();
    for (boolean[] k : kept) {
      out.add(java.util.stream.IntStream.range(0, k.length).filter(c -> k[c]).toArray());
    }
    return out;
  }

  /**
   * L1 scores of one group: channel c's Σ|w| over the tensor's slice c along {@code axis}, divided by
   * the mean over the group's channels.
   *
   * @param weight the layer's weight, row-major, in {@code shape}
   */
  public static double[] l1Scores(float[] weight, long[] shape, int axis) {
    int channels = Math.toIntExact(shape[axis]);
    nnzip.codec.TensorLayout layout = nnzip.codec.TensorLayout.alongAxis(
        new nnzip.tensor.TensorSpec("weight", nnzip.tensor.DType.F32, shape), axis);
    double[] s = new double[channels];
    for (int i = 0; i < weight.length; i++) {
      s[layout.channelOf(i)] += Math.abs(weight[i]);
    }
    return relative(s);
  }

  /** Dirichlet scores of one group: C·g for its point-estimate gates g. */
  public static double[] gateScores(double[] g) {
    double[] s = g.clone();
    for (int c = 0; c < s.length; c++) {
      s[c] *= s.length;
    }
    return s;
  }

  /**
   * Gated L1 scores of each group: gate × L1 score per channel, relative to the group's mean.
   *
   * @param gates per group its scores C·g; {@code l1} per group its relative L1 scores
   */
  public static List<double[]> gatedL1Scores(List<double[]> gates, List<double[]> l1) {
    if (gates.size() != l1.size()) {
      throw new IllegalArgumentException(gates.size() + " gate score lists but " + l1.size() + " L1 score lists");
    }
    List<double[]> out = new ArrayList<>();
    for (int g = 0; g < gates.size(); g++) {
      double[] a = gates.get(g);
      double[] b = l1.get(g);
      if (a.length != b.length) {
        throw new IllegalArgumentException("group " + g + " has " + a.length + " gates but " + b.length + " L1 scores");
      }
      double[] s = new double[a.length];
      for (int c = 0; c < s.length; c++) {
        s[c] = a[c] * b[c];
      }
      out.add(relative(s));
    }
    return out;
  }

  /** Random scores in [0, 1) for each group, from (seed, group index). */
  public static List<double[]> randomScores(List<Group> groups, long seed) {
    List<double[]> out = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + g);
      out.add(rng.doubles(groups.get(g).channels()).toArray());
    }
    return out;
  }

  /** Parameters the kept channels hold: Σ kept·parametersPerChannel. */
  public static long keptParameters(List<Group> groups, List<int[]> kept) {
    long n = 0;
    for (int g = 0; g < groups.size(); g++) {
      n += kept.get(g).length * groups.get(g).parametersPerChannel();
    }
    return n;
  }

  private static double[] relative(double[] s) {
    double mean = Arrays.stream(s).average().orElse(0);
    double[] r = new double[s.length];
    for (int c = 0; c < s.length; c++) {
      r[c] = mean > 0 ? s[c] / mean : 1;
    }
    return r;
  }
}
