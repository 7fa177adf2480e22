package nnzip.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.Messages;

/**
 * The header dictionary of a {@code .npy} file, a Python literal such as {@code {'descr': '<f4',
 * 'fortran_order': False, 'shape': (3, 4), }}, parsed by a small recursive-descent reader that
 * accepts exactly the literal forms NumPy writes: quoted strings, True/False, tuples of
 * non-negative integers (Python 2's {@code 3L} too). The three keys must all be present, nothing
 * else; only whitespace may follow the closing brace.
 *
 * @param descr the dtype string, e.g. {@code <f4}
 * @param fortranOrder whether the data is in column-major order
 * @param shape the sizes of the dimensions, each in [0, {@link NpyArray#MAX_ELEMENTS}]
 */
record NpyHeader(String descr, boolean fortranOrder, int[] shape) {
  private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

  /**
   * Parses a header's text.
   *
   * @param text the header after the length field, padding and newline included
   * @param name file or entry name for messages
   * @throws InvalidInputException naming the file if the text is not such a dictionary or a
   *     dimension exceeds {@link NpyArray#MAX_ELEMENTS}
   */
  static NpyHeader parse(String text, String name) {
    Parser p = new Parser(text, name);
    Map<String, Object> dict = p.dict();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("unexpected text after the header dictionary");
    }
    for (String key : KEYS) {
      if (!dict.containsKey(key)) {
        throw new InvalidInputException(name + ": npy header lacks the key '" + key + "'");
      }
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new InvalidInputException(name + ": unsupported dtype " + p.literal("descr")
          + " (structured dtypes are not supported)");
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new InvalidInputException(name + ": npy header 'fortran_order' is not True or False");
    }
    if (!(dict.get("shape") instanceof long[] dims)) {
      throw new InvalidInputException(name + ": npy header 'shape' is not a tuple of integers");
    }
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] > NpyArray.MAX_ELEMENTS) {
        throw new InvalidInputException(name + ": shape " + p.literal("shape") + " has dimension " + dims[i]
            + ", more than " + NpyArray.MAX_ELEMENTS);
      }
      shape[i] = (int) dims[i];
    }
    return new NpyHeader(descr, fortran, shape);
  }

  /** The shape as NumPy prints it, e.g. {@code (3, 4)} or {@code (5,)}. */
  static String format(int[] shape) {
    String s = Arrays.toString(shape);
    return "(" + s.substring(1, s.length() - 1) + (shape.length == 1 ? ",)" : ")");
  }

  /** Cursor over the header text; each method consumes one literal. */
  private static final class Parser {
    final String text;
    final String name;
    final Map<String, int[]> spans = new HashMap<>();
    int pos;

    Parser(String text, String name) {
      this.text = text;
      this.name = name;
    }

    Map<String, Object> dict() {
      skipSpace();
      expect('{');
      Map<String, Object> dict = new HashMap<>();
      while (!peek('}')) {
        String key = string();
        if (!KEYS.contains(key)) {
          throw error("unexpected key " + Messages.quote(key));
        }
        expect(':');
        skipSpace();
        int start = pos;
        Object value = value();
        if (dict.put(key, value) != null) {
          throw error("repeated key " + Messages.quote(key));
        }
        spans.put(key, new int[] {start, pos});
        if (!peek('}')) {
          expect(',');
        }
      }
      expect('}');
      return dict;
    }

    Object value() {
      skipSpace();
      if (pos < text.length() && (text.charAt(pos) == '\'' || text.charAt(pos) == '"')) {
        return string();
      }
      if (text.startsWith("True", pos) || text.startsWith("False", pos)) {
        boolean b = text.startsWith("True", pos);
        pos += b ? 4 : 5;
        return b;
      }
      if (peek('(')) {
        return tuple();
      }
      if (peek('[')) {
        int depth = 0;
        do { // a structured dtype's field list: skipped here, rejected by parse() with its text
          depth += text.charAt(pos) == '[' ? 1 : text.charAt(pos) == ']' ? -1 : 0;
          pos++;
        } while (depth > 0 && pos < text.length());
        return List.of();
      }
      throw error("unexpected value");
    }

    String string() {
      skipSpace();
      char quote = pos < text.length() ? text.charAt(pos) : 0;
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted string");
      }
      int end = text.indexOf(quote, pos + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      String s = text.substring(pos + 1, end);
      pos = end + 1;
      return s;
    }

    long[] tuple() {
      expect('(');
      List<Long> dims = new ArrayList<>();
      boolean trailingComma = false;
      while (!peek(')')) {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
        if (start == pos) {
          throw error("expected a non-negative integer in the shape");
        }
        try {
          dims.add(Long.parseLong(text.substring(start, pos)));
        } catch (NumberFormatException e) {
          throw error("shape dimension " + Messages.quote(text.substring(start, pos)) + " is too large");
        }
        if (pos < text.length() && text.charAt(pos) == 'L') {
          pos++; // Python 2 long literal, as NumPy wrote under Python 2
        }
        trailingComma = !peek(')');
        if (trailingComma) {
          expect(',');
        }
      }
      expect(')');
      if (dims.size() == 1 && !trailingComma) {
        throw error("'(" + dims.get(0) + ")' is an integer, not a tuple; a 1-d shape is written (n,)");
      }
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The source text of a key's value for messages, shortened if long ({@link Messages#quote}). */
    String literal(String key) {
      int[] span = spans.get(key);
      String s = text.substring(span[0], span[1]);
      return s.length() <= Messages.MAX_QUOTED ? s : Messages.quote(s);
    }

    boolean peek(char c) {
      skipSpace();
      return pos < text.length() && text.charAt(pos) == c;
    }

    void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    void skipSpace() {
      while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }

    InvalidInputException error(String what) {
      if (pos >= text.length()) {
        return new InvalidInputException(name + ": bad npy header: the text ends inside the dictionary (" + what + ")");
      }
      String near = text.substring(pos, Math.min(text.length(), pos + 20)).replaceAll("[^\\x20-\\x7e]", "?");
      return new InvalidInputException(name + ": bad npy header: " + what + " at offset " + pos + " near '" + near + "'");
    }
  }
}
