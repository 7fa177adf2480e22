package nnzip.zoo;

/** Why the zoo compresses a model this run, or skips it. */
public enum Reason {
  /** No good run of this name in the history. */
  NEW("new"),
  /** The source's SHA-256 differs from the last good run's. */
  SOURCE_CHANGED("source changed"),
  /** The resolved recipe (or the data set) differs from the last good run's. */
  RECIPE_CHANGED("recipe changed"),
  /** Another nnzip version or build made the last good run's artifact. */
  VERSION_CHANGED("version changed"),
  /** The last good run's artifact is gone. */
  ARTIFACT_MISSING("artifact missing"),
  /** Nothing changed: skipped. */
  UNCHANGED("unchanged");

  private final String label;

  Reason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
