package nnzip.io.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the JSON header the way the reference implementation does: compact JSON, {@code
 * __metadata__} first and omitted when empty, then the tensors as given, padded with spaces to a
 * multiple of 8 bytes so that the data area starts 8-aligned. Same input, same bytes.
 */
final class HeaderEncoder {
  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private HeaderEncoder() {}

  /**
   * Encodes a header.
   *
   * @param entries tensors in the order they are to appear
   * @param metadata string map written as {@code __metadata__}, in its iteration order
   * @return the padded JSON bytes; their count is the value of the 8-byte length field
   */
  static byte[] encode(List<SafetensorsHeader.Entry> entries, Map<String, String> metadata) {
    ObjectNode root = MAPPER.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(HeaderParser.METADATA_KEY);
      metadata.forEach(meta::put);
    }
    for (SafetensorsHeader.Entry e : entries) {
      ObjectNode t = root.putObject(e.name());
      t.put("dtype", e.spec().dtype().safetensorsName());
      ArrayNode shape = t.putArray("shape");
      for (long d : e.spec().shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(e.begin()).add(e.end());
    }
    byte[] json;
    try {
      json = MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
    }
    int padded = (json.length + 7) & ~7;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }
}
