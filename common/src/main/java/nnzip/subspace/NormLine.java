package nnzip.subspace;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.io.WeightRole;

/**
 * Per-α BatchNorm statistics of a line: a point's activations change with α (narrower, sparser or
 * coarser weights), so one running mean and variance cannot hold for every point, and LCS forbids
 * recalibrating them per point (Nunez et al., 2022). K anchors evenly spaced on [0, 1] keep a pair of
 * every BatchNorm node each; a training step folds its batch statistics into the two anchors around
 * its α with the weights {@link #weights} gives ({@link NormLineTraining}), and a point's statistics
 * are the same linear interpolation of those two anchors ({@link #at}): an anchor's own at its α.
 *
 * @param alphas the anchors' points, ascending from 0 to 1 (length K ≥ 2), or empty: no norm line (the
 *     graph's own statistics for every point)
 * @param statistics running statistic key → its values at each anchor ([K][C], C the key's channels)
 */
public record NormLine(float[] alphas, Map<String, float[][]> statistics) {
  /**
   * Prefix of an anchor's statistic, followed by the anchor's index, '/' and the statistic's key: the
   * training state's name for it, and the stored initializer's (all anchors but the last, α = 1,
   * whose statistics are the graph's own).
   */
  public static final String PREFIX = WeightRole.NORM_STATISTIC_PREFIX;

  /** No norm line. */
  public static final NormLine NONE = new NormLine(new float[0], Map.of());

  /** Checks the anchors and copies the arrays. */
  public NormLine {
    alphas = alphas.clone();
    if (alphas.length == 1 || (alphas.length > 1 && (alphas[0] != 0f || alphas[alphas.length - 1] != 1f))) {
      throw new IllegalArgumentException("norm line anchors must run from 0 to 1 (at least two), got "
          + Arrays.toString(alphas));
    }
    for (int j = 1; j < alphas.length; j++) {
      if (!(alphas[j] > alphas[j - 1])) {
        throw new IllegalArgumentException("norm line anchors must ascend, got " + Arrays.toString(alphas));
      }
    }
    Map<String, float[][]> copy = new LinkedHashMap<>();
    for (Map.Entry<String, float[][]> e : statistics.entrySet()) {
      float[][] v = e.getValue();
      if (v.length != alphas.length) {
        throw new IllegalArgumentException("statistic '" + e.getKey() + "' has " + v.length + " anchors, the line "
            + alphas.length);
      }
      float[][] c = new float[v.length][];
      for (int j = 0; j < v.length; j++) {
        c[j] = v[j].clone();
        if (c[j].length != c[0].length) {
          throw new IllegalArgumentException("statistic '" + e.getKey() + "' has " + c[0].length + " values at anchor 0"
              + " and " + c[j].length + " at anchor " + j);
        }
      }
      copy.put(e.getKey(), c);
    }
    statistics = java.util.Collections.unmodifiableMap(copy);
  }

  /** The points of {@code k} anchors evenly spaced on [0, 1]: j/(k − 1); none for k ≤ 1. */
  public static float[] grid(int k) {
    if (k <= 1) {
      return new float[0];
    }
    float[] a = new float[k];
    for (int j = 0; j < k; j++) {
      a[j] = j == k - 1 ? 1f : (float) ((double) j / (k - 1));
    }
    return a;
  }

  /**
   * A norm line before training: anchor j starts at (1 − α_j)·s0 + α_j·s1 (both endpoints' own
   * statistics, in float as {@link Line#point}).
   *
   * @param anchors K; ≤ 1 gives {@link #NONE}
   * @param s0 the first endpoint's statistics by key; {@code s1} the second's, same keys and lengths
   */
  public static NormLine start(int anchors, Map<String, float[]> s0, Map<String, float[]> s1) {
    float[] a = grid(anchors);
    if (a.length == 0 || s0.isEmpty()) {
      return NONE;
    }
    Map<String, float[][]> stats = new LinkedHashMap<>();
    s0.forEach((k, v) -> {
      float[][] s = new float[a.length][];
      for (int j = 0; j < a.length; j++) {
        s[j] = Line.point(v, s1.get(k), a[j]);
      }
      stats.put(k, s);
    });
    return new NormLine(a, stats);
  }

  /** Whether there is no norm line. */
  public boolean isEmpty() {
    return alphas.length == 0;
  }

  /** The name of anchor j's statistic {@code key} (in a training state and a stored graph). */
  public static String key(int anchor, String key) {
    return PREFIX + anchor + "/" + key;
  }

  /**
   * Each anchor's weight at α, length K: at most two non-zero (the anchors around α, 1 − t and t
   * with t = (α − α_j)/(α_{j+1} − α_j)), exactly 1 at an anchor's own α.
   *
   * @throws IllegalArgumentException unless 0 ≤ α ≤ 1
   */
  public float[] weights(float alpha) {
    SubspaceKind.checkAlpha(alpha);
    float[] w = new float[alphas.length];
    for (int j = 0; j + 1 < alphas.length; j++) {
      if (alpha <= alphas[j + 1]) {
        float t = (float) (((double) alpha - alphas[j]) / ((double) alphas[j + 1] - alphas[j]));
        w[j] = 1 - t;
        w[j + 1] = t;
        return w;
      }
    }
    return w;
  }

  /**
   * The statistics at α by key: Σ_j weights(α)_j · s_j per value, in double, rounded to float (an
   * anchor's own values, bit for bit, at its α).
   */
  public Map<String, float[]> at(float alpha) {
    float[] w = weights(alpha);
    Map<String, float[]> out = new LinkedHashMap<>();
    statistics.forEach((k, s) -> {
      float[] v = new float[s[0].length];
      for (int i = 0; i < v.length; i++) {
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
          if (w[j] != 0f) {
            sum += (double) w[j] * s[j][i];
          }
        }
        v[i] = (float) sum;
      }
      out.put(k, v);
    });
    return out;
  }

  /** Every anchor's statistics by {@link #key}, anchors in order (a training state's statistics). */
  public Map<String, float[]> anchors() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (int j = 0; j < alphas.length; j++) {
      for (Map.Entry<String, float[][]> e : statistics.entrySet()) {
        out.put(key(j, e.getKey()), e.getValue()[j].clone());
      }
    }
    return out;
  }

  /**
   * The same anchors with the statistics read from {@code byAnchorKey} (named by {@link #key}, as
   * {@link #anchors} names them).
   *
   * @throws IllegalArgumentException if an anchor's statistic is missing
   */
  public NormLine withAnchors(Map<String, float[]> byAnchorKey) {
    Map<String, float[][]> stats = new LinkedHashMap<>();
    statistics.forEach((k, old) -> {
      float[][] s = new float[alphas.length][];
      for (int j = 0; j < alphas.length; j++) {
        s[j] = byAnchorKey.get(key(j, k));
        if (s[j] == null) {
          throw new IllegalArgumentException("no statistic '" + key(j, k) + "'");
        }
      }
      stats.put(k, s);
    });
    return new NormLine(alphas, stats);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NormLine n) || !Arrays.equals(alphas, n.alphas)
        || !statistics.keySet().equals(n.statistics.keySet())) {
      return false;
    }
    return statistics.entrySet().stream().allMatch(e -> Arrays.deepEquals(e.getValue(), n.statistics.get(e.getKey())));
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(alphas) * 31 + statistics.keySet().hashCode();
  }

  @Override
  public String toString() {
    return "NormLine" + Arrays.toString(alphas) + " over " + statistics.keySet();
  }
}
