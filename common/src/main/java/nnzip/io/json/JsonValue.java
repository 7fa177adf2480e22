package nnzip.io.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One parsed JSON value, immutable. The accessors follow Jackson's {@code JsonNode} (the library
 * these readers used before): {@code get} gives null for a missing member, {@code path} a missing
 * value, and the {@code as*} conversions are lenient the way Jackson's are.
 */
public final class JsonValue implements Iterable<JsonValue> {
  /** What a value is. */
  public enum Kind {
    OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL, MISSING
  }

  private static final JsonValue MISSING = new JsonValue(Kind.MISSING, null);

  private final Kind kind;
  /** Map (object), List (array), String (string; a number's literal text), Boolean, or null. */
  private final Object value;

  private JsonValue(Kind kind, Object value) {
    this.kind = kind;
    this.value = value;
  }

  static JsonValue object(Map<String, JsonValue> members) {
    return new JsonValue(Kind.OBJECT, Collections.unmodifiableMap(new LinkedHashMap<>(members)));
  }

  static JsonValue array(List<JsonValue> items) {
    return new JsonValue(Kind.ARRAY, List.copyOf(items));
  }

  static JsonValue string(String s) {
    return new JsonValue(Kind.STRING, s);
  }

  static JsonValue number(String literal) {
    return new JsonValue(Kind.NUMBER, literal);
  }

  static JsonValue bool(boolean b) {
    return new JsonValue(Kind.BOOLEAN, b);
  }

  static JsonValue nullValue() {
    return new JsonValue(Kind.NULL, null);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isObject() {
    return kind == Kind.OBJECT;
  }

  public boolean isArray() {
    return kind == Kind.ARRAY;
  }

  public boolean isTextual() {
    return kind == Kind.STRING;
  }

  public boolean isNumber() {
    return kind == Kind.NUMBER;
  }

  public boolean isNull() {
    return kind == Kind.NULL;
  }

  public boolean isMissingNode() {
    return kind == Kind.MISSING;
  }

  public boolean isContainerNode() {
    return kind == Kind.OBJECT || kind == Kind.ARRAY;
  }

  /** A number written without fraction or exponent. */
  public boolean isIntegralNumber() {
    return kind == Kind.NUMBER && ((String) value).chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'));
  }

  @SuppressWarnings("unchecked")
  private Map<String, JsonValue> members() {
    return kind == Kind.OBJECT ? (Map<String, JsonValue>) value : Map.of();
  }

  @SuppressWarnings("unchecked")
  private List<JsonValue> items() {
    return kind == Kind.ARRAY ? (List<JsonValue>) value : List.of();
  }

  /** An object's member, or null when there is none (or this is no object). */
  public JsonValue get(String name) {
    return members().get(name);
  }

  /** An array's element, or null when out of range (or this is no array). */
  public JsonValue get(int i) {
    List<JsonValue> l = items();
    return i >= 0 && i < l.size() ? l.get(i) : null;
  }

  /** An object's member, or the missing value. */
  public JsonValue path(String name) {
    JsonValue v = get(name);
    return v == null ? MISSING : v;
  }

  public boolean has(String name) {
    return members().containsKey(name);
  }

  /** Members of an object, elements of an array, else 0. */
  public int size() {
    return kind == Kind.OBJECT ? members().size() : items().size();
  }

  /** An array's elements, or an object's member values, in order. */
  @Override
  public Iterator<JsonValue> iterator() {
    return kind == Kind.OBJECT ? members().values().iterator() : items().iterator();
  }

  /** An object's members in order (empty for anything else). */
  public Set<Map.Entry<String, JsonValue>> properties() {
    return members().entrySet();
  }

  /** A string's text, else null. */
  public String textValue() {
    return kind == Kind.STRING ? (String) value : null;
  }

  /** A string's text, a number's or a boolean's as written, "null" for null, "" for containers. */
  public String asText() {
    return switch (kind) {
      case STRING, NUMBER -> (String) value;
      case BOOLEAN -> value.toString();
      case NULL -> "null";
      default -> "";
    };
  }

  /** The text, or {@code dflt} for a missing or null value. */
  public String asText(String dflt) {
    return kind == Kind.MISSING || kind == Kind.NULL ? dflt : asText();
  }

  /** True when a number lies in the range of a long (an integral one exactly; as Jackson decides). */
  public boolean canConvertToLong() {
    if (kind != Kind.NUMBER) {
      return false;
    }
    if (!isIntegralNumber()) {
      double d = Double.parseDouble((String) value);
      return d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
    }
    return new BigInteger((String) value).bitLength() < 64;
  }

  /** An integral number's value (truncated to 64 bits); 0 for anything else. */
  public long longValue() {
    return kind == Kind.NUMBER ? new BigDecimal((String) value).toBigInteger().longValue() : 0;
  }

  public long asLong() {
    return asLong(0);
  }

  /** A number's value (fractions truncated), a numeric string's, true as 1; else {@code dflt}. */
  public long asLong(long dflt) {
    switch (kind) {
      case NUMBER -> {
        return isIntegralNumber() ? longValue() : (long) Double.parseDouble((String) value);
      }
      case STRING -> {
        try {
          return Long.parseLong(((String) value).trim());
        } catch (NumberFormatException e) {
          try {
            return (long) Double.parseDouble((String) value);
          } catch (NumberFormatException e2) {
            return dflt;
          }
        }
      }
      case BOOLEAN -> {
        return (Boolean) value ? 1 : 0;
      }
      default -> {
        return dflt;
      }
    }
  }

  public int asInt() {
    return asInt(0);
  }

  public int asInt(int dflt) {
    if (kind == Kind.NUMBER && !isIntegralNumber()) {
      return (int) Double.parseDouble((String) value);
    }
    if (kind == Kind.STRING) {
      try {
        return Integer.parseInt(((String) value).trim());
      } catch (NumberFormatException e) {
        try {
          return (int) Double.parseDouble((String) value);
        } catch (NumberFormatException e2) {
          return dflt;
        }
      }
    }
    return kind == Kind.MISSING || kind == Kind.NULL || kind == Kind.OBJECT || kind == Kind.ARRAY ? dflt
        : (int) asLong(dflt);
  }

  public double asDouble() {
    return asDouble(0);
  }

  public double asDouble(double dflt) {
    switch (kind) {
      case NUMBER -> {
        return Double.parseDouble((String) value);
      }
      case STRING -> {
        try {
          return Double.parseDouble(((String) value).trim());
        } catch (NumberFormatException e) {
          return dflt;
        }
      }
      case BOOLEAN -> {
        return (Boolean) value ? 1 : 0;
      }
      default -> {
        return dflt;
      }
    }
  }

  public boolean asBoolean(boolean dflt) {
    return switch (kind) {
      case BOOLEAN -> (Boolean) value;
      case NUMBER -> asLong() != 0;
      case STRING -> ((String) value).trim().equals("true") || (!((String) value).trim().equals("false") && dflt);
      default -> dflt;
    };
  }
}
