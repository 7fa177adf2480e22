package nnzip.finetune;

import java.util.List;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * Gradual magnitude pruning (Zhu and Gupta's cubic schedule; the pruning stage of Han et al.'s Deep
 * Compression): during training, the smallest-magnitude weights of the pruned tensors are set to zero
 * and kept there, their share rising from 0 to the final sparsity over the first {@code ramp} of the
 * steps, so the rest of the network learns to do without them; the remaining steps train at the
 * final sparsity.
 *
 * <p>The mask at any step is a function of the step and the weights alone: the k(t) smallest
 * |w| (ties broken by position), where k(t) only grows. Pruned weights are exactly zero and stay the
 * smallest, so recomputing the mask after a resume picks the same weights and a resumed run repeats
 * an uninterrupted one.
 */
public final class MagnitudePruner implements TrainingLoop.Regularizer {
  /** Number of mask updates over the ramp: each adds a slice of the sparsity. */
  static final int UPDATES = 32;

  private final List<String> tensors;
  private final double sparsity;
  private final boolean global;
  private final int stepsPerEpoch;
  private final long rampSteps;
  private boolean[][] mask;
  private long maskedFor = -1;

  /**
   * @param tensors names of the pruned parameters
   * @param sparsity final share of zeros, in [0, 1)
   * @param global one magnitude threshold over all tensors (true) or the same share in each (false)
   * @param stepsPerEpoch steps of one epoch of the plan
   * @param epochs epochs of the plan
   * @param ramp share of all steps over which the sparsity rises, in (0, 1]
   */
  public MagnitudePruner(List<String> tensors, double sparsity, boolean global, int stepsPerEpoch, int epochs,
      double ramp) {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
    }
    if (!(ramp > 0 && ramp <= 1)) {
      throw new IllegalArgumentException("ramp must be in (0, 1], got " + ramp);
    }
    this.tensors = List.copyOf(tensors);
    this.sparsity = sparsity;
    this.global = global;
    this.stepsPerEpoch = stepsPerEpoch;
    this.rampSteps = Math.max(1, Math.round(ramp * (long) stepsPerEpoch * epochs));
  }

  /**
   * The target sparsity at a global step: s·(1 − (1 − t/R)³), with t rounded down to the last of
   * {@link #UPDATES} evenly spaced updates, and s from step R on.
   */
  public double sparsityAt(long step) {
    long interval = Math.max(1, rampSteps / UPDATES);
    long t = Math.min(rampSteps, step / interval * interval + interval);
    double left = 1 - (double) t / rampSteps;
    return sparsity * (1 - left * left * left);
  }

  @Override
  public void startEpoch(int epoch, ParameterValues params) {
    maskedFor = -1;
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    long t = (long) (epoch - 1) * stepsPerEpoch + step;
    double s = sparsityAt(t);
    long key = Double.doubleToLongBits(s);
    if (key != maskedFor) {
      mask = global ? globalMask(params, s) : perTensorMask(params, s);
      maskedFor = key;
    }
    endStep(params);
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    for (int t = 0; t < tensors.size(); t++) {
      float[] g = grads[params.names().indexOf(tensors.get(t))];
      boolean[] m = mask[t];
      for (int i = 0; i < g.length; i++) {
        if (m[i]) {
          g[i] = 0;
        }
      }
    }
  }

  /** Sets the pruned weights to zero (Adam's momentum would otherwise move them off it). */
  @Override
  public void endStep(ParameterValues params) {
    for (int t = 0; t < tensors.size(); t++) {
      float[] w = params.get(tensors.get(t));
      boolean[] m = mask[t];
      for (int i = 0; i < w.length; i++) {
        if (m[i]) {
          w[i] = 0;
        }
      }
    }
  }

  private boolean[][] perTensorMask(ParameterValues params, double s) {
    boolean[][] m = new boolean[tensors.size()][];
    for (int t = 0; t < m.length; t++) {
      float[] w = params.get(tensors.get(t));
      m[t] = smallest(List.of(w), Math.round(s * w.length))[0];
    }
    return m;
  }

  private boolean[][] globalMask(ParameterValues params, double s) {
    List<float[]> ws = tensors.stream().map(params::get).toList();
    long n = ws.stream().mapToLong(w -> w.length).sum();
    return smallest(ws, Math.round(s * n));
  }

  /**
   * Marks the {@code count} smallest |w| of the concatenation of {@code ws}, ties broken by
   * position: the bits of a non-negative float order like its value, so (bits, position) packed in
   * a long gives every weight a distinct key, and the marked ones are those with a key at most the
   * count-th smallest, found by selection in linear time rather than by sorting.
   *
   * @return per tensor, a mask of its length
   */
  static boolean[][] smallest(List<float[]> ws, long count) {
    int n = ws.stream().mapToInt(w -> w.length).sum();
    long[] keys = new long[n];
    int k = 0;
    for (float[] w : ws) {
      for (float x : w) {
        keys[k] = key(x, k);
        k++;
      }
    }
    boolean[][] m = new boolean[ws.size()][];
    for (int t = 0; t < m.length; t++) {
      m[t] = new boolean[ws.get(t).length];
    }
    if (count <= 0) {
      return m;
    }
    long last = select(keys, (int) Math.min(count, n) - 1);
    k = 0;
    for (int t = 0; t < m.length; t++) {
      float[] w = ws.get(t);
      for (int i = 0; i < w.length; i++) {
        m[t][i] = key(w[i], k++) <= last;
      }
    }
    return m;
  }

  private static long key(float x, int position) {
    return ((long) Float.floatToIntBits(Math.abs(x)) << 32) | position;
  }

  /**
   * The {@code rank}-th smallest (0-based) of distinct keys, reordering {@code a}: quickselect with
   * a median-of-three pivot.
   */
  static long select(long[] a, int rank) {
    int lo = 0;
    int hi = a.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      long pivot = Math.max(Math.min(a[lo], a[mid]), Math.min(Math.max(a[lo], a[mid]), a[hi]));
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long x = a[i];
          a[i] = a[j];
          a[j] = x;
          i++;
          j--;
        }
      }
      if (rank <= j) {
        hi = j;
      } else if (rank >= i) {
        lo = i;
      } else {
        return a[rank];
      }
    }
    return a[lo];
  }

  /** The share of exact zeros in the pruned tensors (for reports and tests). */
  public double measuredSparsity(ParameterValues params) {
    long zeros = 0;
    long n = 0;
    for (String t : tensors) {
      for (float x : params.get(t)) {
        zeros += x == 0 ? 1 : 0;
        n++;
      }
    }
    return n == 0 ? 0 : (double) zeros / n;
  }
}
