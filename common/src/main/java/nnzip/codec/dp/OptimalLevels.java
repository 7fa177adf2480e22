package nnzip.codec.dp;

import java.util.Arrays;

/**
 * An optimal k-level partition of {@link WeightedPoints}: cluster means as levels, where each
 * cluster starts, and the total squared error including the points' within-bin constant.
 *
 * @param levels cluster means, strictly ascending, length c = min(k, n); copied
 * @param boundaries first point index of each cluster, ascending from 0, length c; copied
 * @param sse total weighted squared error, ≥ 0 (two-pass per cluster plus the constant SSE)
 * @param weight total weight of the points (the number of values for counts), ≥ 0
 */
public record OptimalLevels(double[] levels, int[] boundaries, double sse, double weight) {

  public OptimalLevels {
    if (levels.length != boundaries.length) {
      throw new IllegalArgumentException(levels.length + " levels but " + boundaries.length + " boundaries");
    }
    if (!(sse >= 0) || !(weight >= 0)) {
      throw new IllegalArgumentException("sse " + sse + " and weight " + weight + " must be ≥ 0");
    }
    levels = levels.clone();
    boundaries = boundaries.clone();
  }

  /** The levels, a copy of length c. */
  @Override
  public double[] levels() {
    return levels.clone();
  }

  /** The first point of each cluster, a copy of length c. */
  @Override
  public int[] boundaries() {
    return boundaries.clone();
  }

  /** Mean squared error per unit weight, sse / weight; 0 when there are no points. */
  public double mse() {
    return weight == 0 ? 0 : sse / weight;
  }

  /**
   * The codebook of these levels rounded to float.
   *
   * @throws IllegalStateException if there are no levels (no points were given)
   */
  public Codebook codebook() {
    if (levels.length == 0) {
      throw new IllegalStateException("no levels: the quantizer was solved on no points");
    }
    float[] f = new float[levels.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) levels[i];
    }
    return Codebook.of(f);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OptimalLevels r && Arrays.equals(levels, r.levels)
        && Arrays.equals(boundaries, r.boundaries) && Double.compare(sse, r.sse) == 0
        && Double.compare(weight, r.weight) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(levels) + Arrays.hashCode(boundaries) + Double.hashCode(sse);
  }

  @Override
  public String toString() {
    return "OptimalLevels[" + levels.length + " levels, sse=" + sse + ", weight=" + weight + "]";
  }
}
