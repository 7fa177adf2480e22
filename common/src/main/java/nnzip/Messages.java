package nnzip;

/**
 * Keeps error messages to one readable line whatever the input holds: {@link #quote} shortens a piece
 * of input text (a name, a dtype, a header fragment) to {@value #MAX_QUOTED} characters, and {@link
 * #oneLine} replaces control characters and cuts a whole message at {@value #MAX_LINE}. A hostile file
 * can hold megabyte-long names; quoting them whole once printed a 400 KB error line.
 */
public final class Messages {
  /** Most characters of input text a message quotes. */
  public static final int MAX_QUOTED = 200;
  /** Most characters of a whole message line. */
  public static final int MAX_LINE = 1000;

  private Messages() {}

  /**
   * {@code 'text'}, shortened to {@value #MAX_QUOTED} characters with {@code ...} and the total length
   * when longer, and on one line.
   */
  public static String quote(String text) {
    return "'" + clip(text, MAX_QUOTED) + "'";
  }

  /** {@code text} on one line (control characters as spaces), cut at {@value #MAX_LINE} characters. */
  public static String oneLine(String text) {
    return clip(text, MAX_LINE);
  }

  /** At most {@code max} characters of {@code text} with control characters as spaces, then a note of what was cut. */
  static String clip(String text, int max) {
    if (text == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 40);
    for (int i = 0; i < text.length() && i < max; i++) {
      char c = text.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (text.length() > max) {
      b.append("... (").append(text.length()).append(" characters)");
    }
    return b.toString();
  }
}
