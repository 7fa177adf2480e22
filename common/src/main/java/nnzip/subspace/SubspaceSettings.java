package nnzip.subspace;

/**
 * How a line trains (defaults live in conf/reference.conf's {@code subspace} block, not here).
 *
 * @param kind what α compresses
 * @param cosWeight β of the term β·cos²(w0, w1) that keeps the endpoints apart, finite and ≥ 0
 * @param endpointProbability chance that a step trains an endpoint (α = 0 or 1, equally) instead of
 *     an α inside the line, in [0, 1]
 * @param alphaPower the α inside the line is u^alphaPower for u uniform on [0, 1): 1 draws it
 *     uniformly, more than 1 draws the compressed end more often (P(α ≤ x) = x^(1/alphaPower)),
 *     finite and ≥ 1
 * @param pointsPerStep how many points each step takes the gradient at, on the same batch, their
 *     mean being the step's gradient: 1 draws one point (an endpoint with {@code endpointProbability},
 *     else inside); 2 or more is the sandwich rule of slimmable networks (Yu &amp; Huang 2019): both
 *     endpoints every step plus pointsPerStep − 2 draws inside the line, so the compressed end trains
 *     at every step rather than at a fraction of them; in [1, 16]
 * @param warmupEpochs unstructured: epochs over which the kept fraction at α = 0 anneals linearly
 *     from 1 to 0.025, ≥ 0 (at most the training epochs)
 * @param fixedAlpha NaN to sample α every step; else the one α every step trains (an individually
 *     trained model at that budget, the benchmark's baseline), in [0, 1]
 * @param seed seed of the α draws: step s of epoch e draws from (seed, e, s)
 * @param storedDifference null: the points see w0 as trained; else as the artifact stores it, w1 plus
 *     w0 − w1 coded with this codec per channel ({@link LineWeight#stored}; quantization-aware training)
 * @param normAnchors BatchNorm graphs: the anchors of the per-α running statistics ({@link NormLine}),
 *     evenly spaced on [0, 1], ≥ 1; 1 keeps one pair for every point (a fixed α always does)
 * @param magnitudeScope unstructured: whether each weight matrix keeps its own share of magnitudes or
 *     the model ranks all of them at once ({@link GlobalMagnitude}); other kinds ignore it
 */
public record SubspaceSettings(SubspaceKind kind, double cosWeight, double endpointProbability, double alphaPower,
    int pointsPerStep, int warmupEpochs, double fixedAlpha, long seed, nnzip.codec.ScalarCodec storedDifference,
    int normAnchors, MagnitudeScope magnitudeScope)
    implements java.io.Serializable {
  private static final long serialVersionUID = 3L;

  /** The most points one step may train (each costs a forward and backward pass over the batch). */
  public static final int MAX_POINTS_PER_STEP = 16;

  /** Checks every range. */
  public SubspaceSettings {
    java.util.Objects.requireNonNull(kind, "kind");
    java.util.Objects.requireNonNull(magnitudeScope, "magnitudeScope");
    if (!(cosWeight >= 0 && Double.isFinite(cosWeight))) {
      throw new IllegalArgumentException("subspace cos-weight must be finite and ≥ 0, got " + cosWeight);
    }
    if (!(endpointProbability >= 0 && endpointProbability <= 1)) {
      throw new IllegalArgumentException("subspace endpoint-probability must be in [0, 1], got " + endpointProbability);
    }
    if (!(alphaPower >= 1 && Double.isFinite(alphaPower))) {
      throw new IllegalArgumentException("subspace alpha-power must be finite and ≥ 1, got " + alphaPower);
    }
    if (pointsPerStep < 1 || pointsPerStep > MAX_POINTS_PER_STEP) {
      throw new IllegalArgumentException("subspace points-per-step must be in [1, " + MAX_POINTS_PER_STEP + "], got "
          + pointsPerStep);
    }
    if (warmupEpochs < 0) {
      throw new IllegalArgumentException("subspace warmup-epochs must be ≥ 0, got " + warmupEpochs);
    }
    if (!Double.isNaN(fixedAlpha) && !(fixedAlpha >= 0 && fixedAlpha <= 1)) {
      throw new IllegalArgumentException("a fixed alpha must be in [0, 1], got " + fixedAlpha);
    }
    if (normAnchors < 1) {
      throw new IllegalArgumentException("subspace norm-anchors must be ≥ 1, got " + normAnchors);
    }
  }

  /** Settings that draw one α per step, inside the line uniformly (alpha-power 1, points-per-step 1). */
  public SubspaceSettings(SubspaceKind kind, double cosWeight, double endpointProbability, int warmupEpochs,
      double fixedAlpha, long seed, nnzip.codec.ScalarCodec storedDifference, int normAnchors,
      MagnitudeScope magnitudeScope) {
    this(kind, cosWeight, endpointProbability, 1, 1, warmupEpochs, fixedAlpha, seed, storedDifference, normAnchors,
        magnitudeScope);
  }

  /** These settings with another number of norm anchors. */
  public SubspaceSettings withNormAnchors(int anchors) {
    return new SubspaceSettings(kind, cosWeight, endpointProbability, alphaPower, pointsPerStep, warmupEpochs,
        fixedAlpha, seed, storedDifference, anchors, magnitudeScope);
  }

  /** The norm anchors a run keeps: 1 at a fixed α (there is one point), else {@link #normAnchors}. */
  public int anchorsToKeep() {
    return fixed() ? 1 : normAnchors;
  }

  /** These settings with another β of the cos² term (a line started from a trained model has its own). */
  public SubspaceSettings withCosWeight(double beta) {
    return new SubspaceSettings(kind, beta, endpointProbability, alphaPower, pointsPerStep, warmupEpochs,
        fixedAlpha, seed, storedDifference, normAnchors, magnitudeScope);
  }

  /**
   * The same settings training one point only (no cos² term: there is no line to keep apart, no
   * stored difference: the model is the point, and one point per step: every point would be the same).
   */
  public SubspaceSettings atFixedAlpha(double alpha) {
    return new SubspaceSettings(kind, 0, endpointProbability, alphaPower, 1, warmupEpochs, alpha, seed, null,
        normAnchors, magnitudeScope);
  }

  /** The scope unstructured points rank magnitudes over: {@link #magnitudeScope}, LAYER for other kinds. */
  public MagnitudeScope scope() {
    return kind == SubspaceKind.UNSTRUCTURED ? magnitudeScope : MagnitudeScope.LAYER;
  }

  /** The points a step trains: 1 at a fixed α, else {@link #pointsPerStep}. */
  public int pointsToTrain() {
    return fixed() ? 1 : pointsPerStep;
  }

  /** Whether α is fixed. */
  public boolean fixed() {
    return !Double.isNaN(fixedAlpha);
  }
}
