package nnzip.io.safetensors;

import nnzip.InvalidInputException;

/** One-line {@link InvalidInputException}s for this package: "{@code <file>: <problem>}". */
final class Errors {
  /** Longest name quoted in a message; a hostile header could hold megabyte-long names. */
  private static final int MAX_QUOTED = 120;

  /** Longest message; the rest of a long JSON fragment would not help the reader. */
  private static final int MAX_MESSAGE = 600;

  private Errors() {}

  /** An exception whose message is {@code file + ": " + problem}, on one line. */
  static InvalidInputException invalid(Object file, String problem) {
    return new InvalidInputException(oneLine(file + ": " + problem));
  }

  /** Same, keeping the low-level cause for the stack trace. */
  static InvalidInputException invalid(Object file, String problem, Throwable cause) {
    return new InvalidInputException(oneLine(file + ": " + problem), cause);
  }

  /** {@code 'name'}, shortened if long, so that a message stays one readable line. */
  static String quote(String name) {
    String s = name.length() > MAX_QUOTED ? name.substring(0, MAX_QUOTED) + "..." : name;
    return "'" + s + "'";
  }

  /**
   * Replaces line breaks and other control characters, which names and parser messages may hold, and
   * cuts the message at {@link #MAX_MESSAGE} characters.
   */
  static String oneLine(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_MESSAGE + 3));
    for (int i = 0; i < s.length() && i < MAX_MESSAGE; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return s.length() > MAX_MESSAGE ? b.append("...").toString() : b.toString();
  }
}
