package nnzip.io.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** nnzip's JSON reader against Jackson (the reader it replaces on the dial path) as the reference. */
class JsonReaderTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  @Test
  void readsWhatJacksonReads() throws Exception {
    for (String doc : List.of(
        "{\"format\":3,\"tensors\":[{\"name\":\"fc1.weight\",\"shape\":[300,784],\"relativeMse\":1.25E-5}]}",
        " [1, -2, 3.5e2, -0.0, 0, 12345678901234, true, false, null, \"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\"] ",
        "{\"nested\":{\"a\":[[],{}],\"b\":{\"c\":\"\"}},\"text\":\"é ü 中\",\"big\":1.7976931348623157E308}",
        "\"just a string\"", "42", "{\"Infinity\":\"Infinity\",\"x\":-1E-3}")) {
      assertSame(JACKSON.readTree(doc), JsonReader.parse(doc), doc);
    }
  }

  private static void assertSame(JsonNode expected, JsonValue actual, String where) {
    assertEquals(expected.getNodeType().toString(), actual.kind().toString(), where);
    assertEquals(expected.size(), actual.size(), where);
    if (expected.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> e = expected.properties().iterator();
      for (Map.Entry<String, JsonValue> a : actual.properties()) {
        Map.Entry<String, JsonNode> x = e.next();
        assertEquals(x.getKey(), a.getKey(), where);
        assertSame(x.getValue(), a.getValue(), where + "." + x.getKey());
      }
    } else if (expected.isArray()) {
      for (int i = 0; i < expected.size(); i++) {
        assertSame(expected.get(i), actual.get(i), where + "[" + i + "]");
      }
    } else {
      if (!expected.isNumber()) {
        assertEquals(expected.asText(), actual.asText(), where); // Jackson prints numbers its own way
      }
      assertEquals(expected.asDouble(), actual.asDouble(), where);
      assertEquals(expected.asLong(), actual.asLong(), where);
      assertEquals(expected.asInt(), actual.asInt(), where);
      assertEquals(expected.isIntegralNumber(), actual.isIntegralNumber(), where);
      assertEquals(expected.canConvertToLong(), actual.canConvertToLong(), where);
      assertEquals(expected.textValue(), actual.textValue(), where);
    }
  }

  @Test
  void refusesWhatIsNoSingleStrictValue() {
    for (String bad : List.of("", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "[01]", "[1.]", "[.5]", "[+1]",
        "tru", "nul", "\"open", "\"tab\there\"", "{} {}", "[1] x", "{\"a\":1}\0", "\"\\x\"", "\"\\u12g4\"",
        "[NaN]", "{a:1}", "// c\n{}")) {
      assertThrows(JsonReader.Malformed.class, () -> JsonReader.parse(bad), bad);
    }
  }

  @Test
  void repeatedKeysAndDeepNestingAreNamedWithTheirPlace() {
    JsonReader.Malformed dup = assertThrows(JsonReader.Malformed.class, () -> JsonReader.parse("{\"a\":1,\n \"a\":[2]}"));
    assertEquals(JsonReader.Malformed.Kind.DUPLICATE_KEY, dup.kind());
    assertEquals(2, dup.line());
    assertEquals(6, dup.column());
    String deep = "[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1);
    assertEquals(JsonReader.Malformed.Kind.LIMIT,
        assertThrows(JsonReader.Malformed.class, () -> JsonReader.parse(deep)).kind());
    String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
    assertEquals(JsonValue.Kind.ARRAY, JsonReader.parse(ok).kind());
  }
}
