package nnzip.subspace;

import java.util.Arrays;
import java.util.Locale;

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
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope of a recipe or artifact name.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static MagnitudeScope parse(String s) {
    for (MagnitudeScope m : values()) {
      if (m.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown magnitude scope '" + s + "'; valid: "
        + String.join(", ", Arrays.stream(values()).map(MagnitudeScope::label).toList()));
  }
}
