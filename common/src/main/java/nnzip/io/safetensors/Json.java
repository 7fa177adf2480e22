package nnzip.io.safetensors;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import nnzip.io.json.JsonReader;
import nnzip.io.json.JsonValue;

/**
 * Strict JSON for headers and index files: UTF-8 only, one value, no duplicate keys (rejected
 * although the reference keeps the last one: a header naming a tensor twice is ambiguous, and we
 * would rather refuse it than guess).
 */
final class Json {
  private Json() {}

  /**
   * Parses {@code bytes} as one JSON object.
   *
   * @param file named in error messages
   * @param what what the bytes are ("header", "index"), named in error messages
   * @throws nnzip.InvalidInputException if the bytes are not UTF-8, not well-formed JSON, or not
   *     an object
   */
  static JsonValue parseObject(Object file, String what, byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw Errors.invalid(file, what + " is not valid UTF-8", e);
    }
    JsonValue node;
    try {
      node = JsonReader.parse(text);
    } catch (JsonReader.Malformed e) {
      String where = " (line " + e.line() + ", column " + e.column() + ")";
      switch (e.kind()) {
        case LIMIT -> throw Errors.invalid(file, what + " exceeds a JSON parsing limit" + where + ": " + e.detail(), e);
        case DUPLICATE_KEY -> throw Errors.invalid(file, what + " repeats a key" + where + ": " + e.detail(), e);
        default -> throw Errors.invalid(file, what + " is not valid JSON" + where + ": " + e.detail(), e);
      }
    }
    if (!node.isObject()) {
      throw Errors.invalid(file, what + " must be a JSON object, found " + kind(node));
    }
    return node;
  }

  /** The JSON type of a node ("array", "string", ...), or "nothing" for an absent one. */
  static String kind(JsonValue node) {
    return node == null || node.isMissingNode() ? "nothing" : node.kind().toString().toLowerCase(Locale.ROOT);
  }

  /**
   * A scalar's text, or the kind of a container: never a container's full text, which for a hostile
   * header can be huge or nested deeply enough to overflow the stack when printed.
   */
  static String brief(JsonValue node) {
    if (node == null || node.isContainerNode() || node.isMissingNode()) {
      return kind(node);
    }
    String text = node.isTextual() ? '"' + node.textValue() + '"' : node.asText();
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }

  /**
   * Reads a JSON integer that fits a non-negative long.
   *
   * @return the value, or -1 when {@code node} is not such an integer (negative, fractional,
   *     too large, or not a number)
   */
  static long nonNegativeLong(JsonValue node) {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
      return -1;
    }
    long v = node.longValue();
    return v < 0 ? -1 : v;
  }
}
