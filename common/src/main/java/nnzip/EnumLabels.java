package nnzip;

import java.util.Arrays;
import java.util.Locale;

/**
 * Enums named in recipes, on the command line and in artifacts by their lower-case constant name:
 * one place for the label and for parsing it back with an error that lists the valid names.
 */
public final class EnumLabels {
  private EnumLabels() {}

  /** The lower-case name of a constant. */
  public static String label(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant whose label is {@code s} (case and surrounding blanks ignored).
   *
   * @param what what the value names, for the error ("subspace", "channel order")
   * @throws IllegalArgumentException naming the value and listing the valid labels
   */
  public static <E extends Enum<E>> E parse(Class<E> type, String s, String what) {
    for (E e : type.getEnumConstants()) {
      if (label(e).equals(s.trim().toLowerCase(Locale.ROOT))) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown " + what + " '" + s + "'; valid: "
        + String.join(", ", Arrays.stream(type.getEnumConstants()).map(EnumLabels::label).toList()));
  }
}
