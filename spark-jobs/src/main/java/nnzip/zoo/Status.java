package nnzip.zoo;

import java.util.Locale;

/** A model's outcome in one zoo run. */
public enum Status {
  /** Compressed in this run. */
  OK,
  /** Unchanged since its last good run; the artifact stays as it was. */
  SKIPPED,
  /** Not compressed; the reason says why. */
  FAILED;

  /** The word the history and the reports use. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status of a history word. */
  public static Status parse(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
