package nnzip.zoo;

/** Small text helpers for one-line messages. */
final class Texts {
  private Texts() {}

  /** The first line of {@code s}, at most {@code max} characters (an ellipsis marks a cut). */
  static String clip(String s, int max) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= max ? line : line.substring(0, max - 1) + "…";
  }
}
