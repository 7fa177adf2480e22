package nnzip.io.safetensors;

import nnzip.InvalidInputException;
import nnzip.Messages;

/** One-line {@link InvalidInputException}s for this package: "{@code <file>: <problem>}". */
final class Errors {
  private Errors() {}

  /** An exception whose message is {@code file + ": " + problem}, on one line. */
  static InvalidInputException invalid(Object file, String problem) {
    return new InvalidInputException(oneLine(file + ": " + problem));
  }

  /** Same, keeping the low-level cause for the stack trace. */
  static InvalidInputException invalid(Object file, String problem, Throwable cause) {
    return new InvalidInputException(oneLine(file + ": " + problem), cause);
  }

  /** {@code 'name'}, shortened if long, so that a message stays one readable line ({@link Messages#quote}). */
  static String quote(String name) {
    return Messages.quote(name);
  }

  /** The message on one line, cut if long ({@link Messages#oneLine}). */
  static String oneLine(String s) {
    return Messages.oneLine(s);
  }
}
