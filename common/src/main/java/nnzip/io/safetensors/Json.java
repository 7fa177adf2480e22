package nnzip.io.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Strict JSON for headers and index files: UTF-8 only, one value, no duplicate keys. */
final class Json {
  /**
   * Duplicate keys are rejected although the reference keeps the last one: a header naming a
   * tensor twice is ambiguous, and we would rather refuse it than guess.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /**
   * Parses {@code bytes} as one JSON object.
   *
   * @param file named in error messages
   * @param what what the bytes are ("header", "index"), named in error messages
   * @throws nnzip.InvalidInputException if the bytes are not UTF-8, not well-formed JSON, or not
   *     an object
   */
  static ObjectNode parseObject(Object file, String what, byte[] bytes) {
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
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      // Jackson ends a limit's message by naming its own setting, which means nothing to the user.
      String msg = String.valueOf(e.getOriginalMessage()).replaceFirst(", from `[^`]*`\\)", ")");
      if (e instanceof StreamConstraintsException) {
        // Jackson's read limits (nesting depth 1000, string and number lengths) stop hostile headers early.
        throw Errors.invalid(file, what + " exceeds a JSON parsing limit" + where + ": " + msg, e);
      }
      if (msg.startsWith("Duplicate field") && msg.contains(" for `")) {
        // Jackson goes on to name its own feature flag, which means nothing to the user.
        throw Errors.invalid(file, what + " repeats a key" + where + ": " + msg.substring(0, msg.indexOf(" for `")), e);
      }
      throw Errors.invalid(file, what + " is not valid JSON" + where + ": " + msg, e);
    }
    if (node == null || !node.isObject()) {
      throw Errors.invalid(file, what + " must be a JSON object, found " + kind(node));
    }
    return (ObjectNode) node;
  }

  /** The JSON type of a node ("array", "string", ...), or "nothing" for an absent one. */
  static String kind(JsonNode node) {
    return node == null || node.isMissingNode() ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  /**
   * A scalar's text, or the kind of a container: never a container's full text, which for a hostile
   * header can be huge or nested deeply enough to overflow the stack when printed.
   */
  static String brief(JsonNode node) {
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
  static long nonNegativeLong(JsonNode node) {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
      return -1;
    }
    long v = node.longValue();
    return v < 0 ? -1 : v;
  }
}
