package nnzip.codec.dp;

/**
 * Exact optimal 1-D k-level quantization (k-means in one dimension) of weighted points by dynamic
 * programming, as in Ckmeans.1d.dp (Wang &amp; Song 2011; Song &amp; Zhong 2020): on sorted data
 * every optimal cluster is a run of consecutive points, and D[m][i] = min_j D[m−1][j−1] + SSE(j..i)
 * is solved row by row by {@link DpRow} (divide and conquer over the monotone argmin, bounded
 * below by the previous row's argmin), O(k·w·log w) time for row width w = n − k + 1; 65,536
 * points with k = 256 take about 0.7 s on one core. Two rows of doubles are live at a time; the
 * argmins for backtracking are kept in a full k × w table when it fits a limit, otherwise every
 * ⌈√k⌉-th row is kept and each segment is recomputed while backtracking (O(√k·w) memory, about
 * twice the time, identical result).
 */
public final class OptimalQuantizer1D {
  /** Largest number of levels, 65,536 (16-bit codes). */
  public static final int MAX_LEVELS = 1 << 16;
  /** Default limit on stored argmin entries (ints) before checkpointing: 32M, i.e. 128 MiB. */
  public static final long DEFAULT_MAX_TABLE_ENTRIES = 32L << 20;

  private OptimalQuantizer1D() {}

  /**
   * The optimal partition of {@code points} into at most k clusters, with the default table limit.
   *
   * @throws IllegalArgumentException if k is outside 1..{@value #MAX_LEVELS}
   */
  public static OptimalLevels solve(WeightedPoints points, int k) {
    return solve(points, k, DEFAULT_MAX_TABLE_ENTRIES);
  }

  /**
   * The optimal partition of {@code points} into c = min(k, n) clusters: levels are the cluster
   * means, boundaries the first point of each cluster, and among optimal partitions the one whose
   * cluster starts are leftmost, row by row from the last cluster, is returned (deterministic).
   * With k ≥ n every point is its own level and the error is the points' constant SSE.
   *
   * @param maxTableEntries the full argmin table (k·(n − k + 1) ints) is kept when it has at most
   *     this many entries, otherwise checkpointing is used; ≥ 0
   * @throws IllegalArgumentException if k is outside 1..{@value #MAX_LEVELS} or the limit is negative
   */
  public static OptimalLevels solve(WeightedPoints points, int k, long maxTableEntries) {
    if (k < 1 || k > MAX_LEVELS) {
      throw new IllegalArgumentException("number of levels must be in 1.." + MAX_LEVELS + ", got " + k);
    }
    if (maxTableEntries < 0) {
      throw new IllegalArgumentException("table limit must be ≥ 0, got " + maxTableEntries);
    }
    int n = points.size();
    int[] boundaries;
    if (k >= n) {
      boundaries = new int[n];
      for (int i = 0; i < n; i++) {
        boundaries[i] = i;
      }
    } else {
      int width = n - k + 1;
      DpRow rows = new DpRow(new ClusterCost(points));
      boundaries = (long) k * width <= maxTableEntries
          ? fullTable(rows, k, width)
          : checkpointed(rows, k, width);
    }
    double[] levels = new double[boundaries.length];
    for (int c = 0; c < levels.length; c++) {
      int to = c + 1 < levels.length ? boundaries[c + 1] : n;
      levels[c] = points.mean(boundaries[c], to);
    }
    return new OptimalLevels(levels, boundaries, points.sse(boundaries), points.totalWeight());
  }

  /** All k argmin rows kept, then one backtracking pass. */
  private static int[] fullTable(DpRow rows, int k, int width) {
    int hi = width - 1;
    double[] prev = new double[width];
    double[] cur = new double[width];
    int[][] arg = new int[k + 1][];
    arg[1] = new int[width];
    rows.first(prev, arg[1], hi);
    for (int m = 2; m <= k; m++) {
      arg[m] = new int[width];
      rows.next(m, prev, arg[m - 1], cur, arg[m], hi);
      double[] t = prev;
      prev = cur;
      cur = t;
    }
    int[] boundaries = new int[k];
    int t = hi;
    for (int m = k; m >= 2; m--) {
      t = arg[m][t];
      boundaries[m - 1] = t + m - 1;
    }
    return boundaries;
  }

  /**
   * Rows 1, 1 + s, 1 + 2s, … kept with their argmins (s = ⌈√k⌉); backtracking recomputes the rows
   * of one segment from its checkpoint and walks back through it. Rows are recomputed whole, as in
   * the forward pass, so near-ties resolve exactly as with the full table.
   */
  private static int[] checkpointed(DpRow rows, int k, int width) {
    int hi = width - 1;
    int step = (int) Math.ceil(Math.sqrt(k));
    int saved = (k - 1) / step + 1;
    double[][] checkpoints = new double[saved][];
    int[][] checkpointArgs = new int[saved][];
    double[] prev = new double[width];
    double[] cur = new double[width];
    int[] prevArg = new int[width];
    int[] curArg = new int[width];
    rows.first(prev, prevArg, hi);
    checkpoints[0] = prev.clone();
    checkpointArgs[0] = prevArg.clone();
    for (int m = 2; m <= k; m++) {
      rows.next(m, prev, prevArg, cur, curArg, hi);
      double[] t = prev;
      prev = cur;
      cur = t;
      int[] a = prevArg;
      prevArg = curArg;
      curArg = a;
      if ((m - 1) % step == 0) {
        checkpoints[(m - 1) / step] = prev.clone();
        checkpointArgs[(m - 1) / step] = prevArg.clone();
      }
    }
    int[] boundaries = new int[k];
    int[][] arg = new int[step + 1][];
    int t = hi;
    int top = k;
    while (top > 1) {
      int base = 1 + (top - 2) / step * step; // the checkpoint row strictly below top
      System.arraycopy(checkpoints[(base - 1) / step], 0, prev, 0, width);
      arg[0] = checkpointArgs[(base - 1) / step];
      for (int m = base + 1; m <= top; m++) {
        if (arg[m - base] == null) {
          arg[m - base] = new int[width];
        }
        rows.next(m, prev, arg[m - base - 1], cur, arg[m - base], hi);
        double[] x = prev;
        prev = cur;
        cur = x;
      }
      for (int m = top; m > base; m--) {
        t = arg[m - base][t];
        boundaries[m - 1] = t + m - 1;
      }
      top = base;
    }
    return boundaries;
  }
}
