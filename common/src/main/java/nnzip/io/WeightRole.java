package nnzip.io;

/**
 * What a stored tensor is to the graph that consumes it, as far as coding the tensors the
 * passthrough rules keep is concerned (the large weights are coded whatever they are).
 */
public enum WeightRole {
  /** A learned weight, or a tensor whose consumers are unknown (safetensors sources). */
  WEIGHT,
  /** A BatchNormalization's running mean or variance: each entry sets one channel's scale. */
  NORM_STATISTIC,
  /**
   * A constant some operator needs exactly: consumed by an operator other than the weight-taking
   * ones (Resize scales, Clip bounds, Pad values, ...). Coding the PaddleOCR detector's four-element
   * Resize scales at 8 bits flipped 6% of its thresholded pixels.
   */
  EXACT;

  /**
   * Prefix of initializers no node reads that are {@link #NORM_STATISTIC}s all the same: the per-α
   * BatchNorm statistics a compressible subspace stores beside its graph (nnzip.subspace.NormLine).
   */
  public static final String NORM_STATISTIC_PREFIX = "nnzip.norm@";
}
