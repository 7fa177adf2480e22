package nnzip.subspace;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Global magnitude pruning of a point (Han et al.'s threshold over the whole network, as opposed to
 * one share per matrix): one ranking of |w| over every weight matrix of the model, by |w| descending,
 * then by the tensor's key (ascending), then by index, and the first ⌈keep·N⌉ of the N elements kept.
 * Restricted to one tensor that order is its own by |w|, then index, so tensor t keeps exactly its
 * top-k_t ({@link PointCompression#keepLargest}) and only the counts k_t cross between tensors:
 * training writes them into the line parameters ({@link #slot}), the dialer computes them again.
 */
public final class GlobalMagnitude {
  private GlobalMagnitude() {}

  /**
   * How many elements each tensor keeps at kept fraction {@code keep} of all of them.
   *
   * @param points each tensor's weights at the point, by key (any map order: keys are ranked sorted)
   * @param keep the kept share of the total count, as {@link SubspaceKind#keepFraction} gives it
   * @return k_t by key, in key order; the k_t sum to {@link SubspaceKind#keptElements}(keep, N)
   * @throws IllegalArgumentException if the tensors hold more than 2^31 − 1 elements together
   */
  public static Map<String, Integer> keptCounts(Map<String, float[]> points, double keep) {
    TreeMap<String, float[]> sorted = new TreeMap<>(points);
    long total = 0;
    for (float[] w : sorted.values()) {
      total += w.length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a global magnitude ranking holds at most " + Integer.MAX_VALUE
          + " elements, got " + total);
    }
    int n = (int) total;
    Map<String, Integer> out = new TreeMap<>();
    int k = n == 0 ? 0 : SubspaceKind.keptElements(keep, n);
    if (k >= n) {
      sorted.forEach((key, w) -> out.put(key, w.length));
      return out;
    }
    float[] abs = new float[n];
    int at = 0;
    for (float[] w : sorted.values()) {
      for (float v : w) {
        abs[at++] = Math.abs(v);
      }
    }
    float threshold = select(abs, n - k);
    int[] above = new int[sorted.size()];
    int[] equal = new int[sorted.size()];
    int t = 0;
    int ties = k;
    for (float[] w : sorted.values()) {
      for (float v : w) {
        float a = Math.abs(v);
        if (a > threshold) {
          above[t]++;
        } else if (a == threshold) {
          equal[t]++;
        }
      }
      ties -= above[t++];
    }
    // The elements at the threshold go to the earlier tensors first (ties to the lower key).
    t = 0;
    for (String key : sorted.keySet()) {
      int taken = Math.min(equal[t], ties);
      ties -= taken;
      out.put(key, above[t++] + taken);
    }
    return out;
  }

  /**
   * The value of rank {@code r} (0-based, ascending, as {@link Arrays#sort} would place it) of
   * {@code a}, by quickselect: a three-way partition around the median of three (pruned points hold
   * many equal magnitudes), falling back to sorting the part left after 2·log2(n) + 16 rounds, so it
   * is linear on magnitudes and never quadratic. A NaN anywhere sorts the whole array instead.
   * {@code a} is reordered.
   */
  static float select(float[] a, int r) {
    if (r < 0 || r >= a.length) {
      throw new IllegalArgumentException("rank " + r + " of " + a.length + " values");
    }
    for (float v : a) {
      if (Float.isNaN(v)) {
        Arrays.sort(a);
        return a[r];
      }
    }
    int lo = 0;
    int hi = a.length - 1;
    int rounds = 2 * (32 - Integer.numberOfLeadingZeros(a.length)) + 16;
    while (lo < hi) {
      if (rounds-- == 0) {
        Arrays.sort(a, lo, hi + 1);
        return a[r];
      }
      float p = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
      int lt = lo;
      int i = lo;
      int gt = hi;
      while (i <= gt) {
        float v = a[i];
        if (v < p) {
          a[i++] = a[lt];
          a[lt++] = v;
        } else if (v > p) {
          a[i] = a[gt];
          a[gt--] = v;
        } else {
          i++;
        }
      }
      // a[lo, lt) < p, a[lt, gt] == p, a(gt, hi] > p
      if (r < lt) {
        hi = lt - 1;
      } else if (r > gt) {
        lo = gt + 1;
      } else {
        return p;
      }
    }
    return a[r];
  }

  private static float medianOfThree(float x, float y, float z) {
    return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
  }

  /**
   * The float that carries a count in a line parameter: its bits. A count is at most the tensor's n
   * elements, n < 2^30 (the parameter holds 2n + 2 floats), so its bits are those of a finite float
   * in [0, 2] (a subnormal below 2^23), never NaN: arrays, copies, checkpoints and an optimizer step
   * with zero gradient carry it bit for bit, where the float of the number would round above 2^24.
   */
  public static float slot(int count) {
    if (count < 0 || count > 1 << 30) {
      throw new IllegalArgumentException("a kept count must be in [0, 2^30], got " + count);
    }
    return Float.intBitsToFloat(count);
  }

  /** The count a {@link #slot} carries. */
  public static int count(float slot) {
    return Float.floatToRawIntBits(slot);
  }
}
