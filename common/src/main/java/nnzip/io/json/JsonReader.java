package nnzip.io.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser for one JSON value: no comments, no trailing content, no repeated key in
 * an object (a header naming a tensor twice is ambiguous, and refusing beats guessing), nesting at
 * most {@value #MAX_DEPTH} deep and numbers of at most {@value #MAX_NUMBER_CHARS} characters (the
 * limits Jackson applied before, which stop hostile headers early).
 */
public final class JsonReader {
  public static final int MAX_DEPTH = 1000;
  public static final int MAX_NUMBER_CHARS = 1000;

  /** Why text is no JSON, and where: line and column (1-based) of the offending character. */
  public static final class Malformed extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
      SYNTAX, DUPLICATE_KEY, LIMIT
    }

    private final Kind kind;
    private final int line;
    private final int column;
    private final String detail;

    Malformed(Kind kind, String detail, int line, int column) {
      super(detail + " (line " + line + ", column " + column + ")");
      this.kind = kind;
      this.detail = detail;
      this.line = line;
      this.column = column;
    }

    public Kind kind() {
      return kind;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }

    /** The message without the location. */
    public String detail() {
      return detail;
    }
  }

  private final String s;
  private int pos;

  private JsonReader(String s) {
    this.s = s;
  }

  /**
   * Parses {@code text} as exactly one JSON value.
   *
   * @throws Malformed if it is not
   */
  public static JsonValue parse(String text) {
    JsonReader r = new JsonReader(text);
    r.space();
    JsonValue v = r.value(0);
    r.space();
    if (r.pos < text.length()) {
      throw r.error(Malformed.Kind.SYNTAX, "unexpected content after the value: " + r.describe());
    }
    return v;
  }

  private JsonValue value(int depth) {
    if (pos >= s.length()) {
      throw error(Malformed.Kind.SYNTAX, "unexpected end of input, expected a value");
    }
    char c = s.charAt(pos);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> JsonValue.string(string());
      case 't' -> literal("true", JsonValue.bool(true));
      case 'f' -> literal("false", JsonValue.bool(false));
      case 'n' -> literal("null", JsonValue.nullValue());
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error(Malformed.Kind.SYNTAX, "unexpected character " + describe() + ", expected a value");
      }
    };
  }

  private JsonValue object(int depth) {
    checkDepth(depth);
    pos++;
    Map<String, JsonValue> members = new LinkedHashMap<>();
    space();
    if (peek() == '}') {
      pos++;
      return JsonValue.object(members);
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error(Malformed.Kind.SYNTAX, "unexpected character " + describe() + ", expected a double-quoted key");
      }
      String key = string();
      space();
      expect(':');
      space();
      int valueStart = pos;
      JsonValue v = value(depth);
      if (members.put(key, v) != null) {
        pos = valueStart; // named where the repeated key's value begins, as Jackson did
        throw error(Malformed.Kind.DUPLICATE_KEY, "Duplicate field '" + key + "'");
      }
      space();
      char c = peek();
      pos++;
      if (c == '}') {
        return JsonValue.object(members);
      }
      if (c != ',') {
        pos--;
        throw error(Malformed.Kind.SYNTAX, "unexpected character " + describe() + ", expected ',' or '}'");
      }
    }
  }

  private JsonValue array(int depth) {
    checkDepth(depth);
    pos++;
    List<JsonValue> items = new ArrayList<>();
    space();
    if (peek() == ']') {
      pos++;
      return JsonValue.array(items);
    }
    while (true) {
      space();
      items.add(value(depth));
      space();
      char c = peek();
      pos++;
      if (c == ']') {
        return JsonValue.array(items);
      }
      if (c != ',') {
        pos--;
        throw error(Malformed.Kind.SYNTAX, "unexpected character " + describe() + ", expected ',' or ']'");
      }
    }
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw error(Malformed.Kind.LIMIT, "Document nesting depth (" + depth + ") exceeds the maximum allowed ("
          + MAX_DEPTH + ")");
    }
  }

  private String string() {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error(Malformed.Kind.SYNTAX, "unexpected end of input in a string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error(Malformed.Kind.SYNTAX, "unescaped control character " + describe() + " in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error(Malformed.Kind.SYNTAX, "unexpected end of input in a string");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error(Malformed.Kind.SYNTAX, "unexpected end of input in a \\u escape");
          }
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos), 16);
            if (d < 0) {
              throw error(Malformed.Kind.SYNTAX, "bad character " + describe() + " in a \\u escape");
            }
            v = v * 16 + d;
            pos++;
          }
          b.append((char) v);
        }
        default -> {
          pos--;
          throw error(Malformed.Kind.SYNTAX, "unrecognized escape " + describe());
        }
      }
    }
  }

  private JsonValue number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (!digits()) {
      throw error(Malformed.Kind.SYNTAX, "a number needs digits, found " + describe());
    }
    if (peek() == '.') {
      pos++;
      if (!digits()) {
        throw error(Malformed.Kind.SYNTAX, "a decimal point needs digits after it, found " + describe());
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!digits()) {
        throw error(Malformed.Kind.SYNTAX, "an exponent needs digits, found " + describe());
      }
    }
    if (pos - start > MAX_NUMBER_CHARS) {
      throw error(Malformed.Kind.LIMIT, "number length (" + (pos - start) + ") exceeds the maximum allowed ("
          + MAX_NUMBER_CHARS + ")");
    }
    return JsonValue.number(s.substring(start, pos));
  }

  private boolean digits() {
    int start = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    return pos > start;
  }

  private JsonValue literal(String word, JsonValue v) {
    if (!s.startsWith(word, pos)) {
      throw error(Malformed.Kind.SYNTAX, "unrecognized token at " + describe() + ", expected '" + word + "'");
    }
    pos += word.length();
    return v;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error(Malformed.Kind.SYNTAX, "unexpected character " + describe() + ", expected '" + c + "'");
    }
    pos++;
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void space() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  /** The character at the position, readable, or "end of input". */
  private String describe() {
    if (pos >= s.length()) {
      return "end of input";
    }
    char c = s.charAt(pos);
    return c < 0x20 || c > 0x7E ? String.format("(code %d)", (int) c) : "'" + c + "'";
  }

  private Malformed error(Malformed.Kind kind, String detail) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < Math.min(pos, s.length()); i++) {
      if (s.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new Malformed(kind, detail, line, pos - lineStart + 1);
  }
}
