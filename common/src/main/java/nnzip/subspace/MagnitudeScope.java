package nnzip.subspace;

/**
 * Over what an unstructured point ranks magnitudes: each weight matrix alone (every matrix keeps the
 * same share), or all of the model's matrices together (one ranking, so a small layer whose weights
 * are large keeps more of them; {@link GlobalMagnitude}).
 */
public enum MagnitudeScope {
  /** Each matrix keeps its own largest share. */
  LAYER,
  /** One ranking over every matrix of the model. */
  GLOBAL;

  /** The name in the recipe and in the artifact. */
  public String label() {
    return nnzip.EnumLabels.label(this);
  }

  /**
   * The scope of a recipe or artifact name.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static MagnitudeScope parse(String s) {
    return nnzip.EnumLabels.parse(MagnitudeScope.class, s, "magnitude scope");
  }
}
