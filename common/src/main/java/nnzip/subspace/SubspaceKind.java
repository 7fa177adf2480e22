package nnzip.subspace;

/**
 * How a point α ∈ [0, 1] of the line is compressed (LCS's three families): α = 1 is always the
 * least compressed end. The maps are written once here and used by training and by the dialer alike.
 */
public enum SubspaceKind {
  /** Keep the largest-magnitude fraction {@link #keepFraction} of each weight matrix; 0.025 at α = 0. */
  UNSTRUCTURED,
  /** Keep the first {@link #keptChannels} channels of every prunable layer: width 0.25 + 0.75·α. */
  STRUCTURED,
  /** Quantize each weight matrix per output channel to {@link #bits} bits: 3 at α = 0, 8 at α = 1. */
  BITS;

  /** Kept fraction of unstructured sparsity at α = 0, once the warm-up is over. */
  public static final double LOWEST_KEEP = 0.025;
  /** Width of structured sparsity at α = 0. */
  public static final double LOWEST_WIDTH = 0.25;
  public static final int LOWEST_BITS = 3;
  public static final int HIGHEST_BITS = 8;

  /** The name on the command line and in the artifact. */
  public String label() {
    return nnzip.EnumLabels.label(this);
  }

  /**
   * The kind of a command-line or artifact name.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static SubspaceKind parse(String s) {
    return nnzip.EnumLabels.parse(SubspaceKind.class, s, "subspace");
  }

  /**
   * Fraction of a matrix's weights kept at α: linear from {@code lowest} at α = 0 to 1 at α = 1
   * ({@code lowest} anneals from 1 to {@link #LOWEST_KEEP} over the warm-up).
   */
  public static double keepFraction(double alpha, double lowest) {
    return lowest + (1 - lowest) * alpha;
  }

  /**
   * Number of the n elements kept at fraction {@code keep}: ⌈keep·n⌉, at least 1. The relative slack
   * of 10⁻⁶ makes a share that went through float (0.025f is 0.025 + 3.7·10⁻¹⁰) count as its decimal.
   */
  public static int keptElements(double keep, int n) {
    return Math.max(1, Math.min(n, (int) Math.ceil(keep * n * (1 - 1e-6))));
  }

  /** Width at α: 0.25 + 0.75·α. */
  public static double width(double alpha) {
    return LOWEST_WIDTH + (1 - LOWEST_WIDTH) * alpha;
  }

  /** Channels kept of C at α: ⌈width·C⌉, at least 1 (the first ones). */
  public static int keptChannels(double alpha, int channels) {
    return Math.max(1, Math.min(channels, (int) Math.ceil(width(alpha) * channels - 1e-9)));
  }

  /** Bits at α: the six bins of [0, 1] map to 3..8 bits. */
  public static int bits(double alpha) {
    int bins = HIGHEST_BITS - LOWEST_BITS + 1;
    return LOWEST_BITS + Math.min(bins - 1, (int) Math.floor(alpha * bins));
  }

  /**
   * Checks a dial point.
   *
   * @throws IllegalArgumentException unless 0 ≤ α ≤ 1
   */
  public static double checkAlpha(double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    return alpha;
  }
}
