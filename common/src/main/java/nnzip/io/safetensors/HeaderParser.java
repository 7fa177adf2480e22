package nnzip.io.safetensors;

import nnzip.io.json.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;

/**
 * Validates a safetensors header with the checks of the reference implementation
 * (huggingface/safetensors {@code Metadata::validate}): known dtype, integer shape, offsets that
 * match shape × dtype size, and ranges that tile the data area exactly. Holes and trailing bytes are
 * refused as the reference refuses them, so a file we accept loads everywhere.
 */
final class HeaderParser {
  static final String METADATA_KEY = "__metadata__";

  private HeaderParser() {}

  /**
   * Checks the 8-byte length field against the file size and the cap.
   *
   * @param rawLength the field read as a little-endian long (an unsigned value: negative means ≥ 2^63)
   * @return the header length, which then fits an int
   * @throws InvalidInputException if the header is empty, above {@code cap} or beyond the file
   */
  static int checkLength(Object file, long fileSize, long rawLength, long cap) {
    if (Long.compareUnsigned(rawLength, cap) > 0) {
      throw Errors.invalid(file, "header length " + Long.toUnsignedString(rawLength) + " exceeds the cap of " + cap + " bytes");
    }
    if (rawLength > fileSize - 8) {
      throw Errors.invalid(file, "header length " + rawLength + " runs past the end of the file (" + fileSize + " bytes)");
    }
    if (rawLength < 2) {
      throw Errors.invalid(file, "header length " + rawLength + " is too small for a JSON object");
    }
    return (int) rawLength;
  }

  static SafetensorsHeader parse(Object file, long fileSize, byte[] json) {
    long dataStart = 8L + json.length;
    if (dataStart > fileSize) {
      throw Errors.invalid(file, "header of " + json.length + " bytes runs past the end of the file (" + fileSize + " bytes)");
    }
    long dataSize = fileSize - dataStart;
    JsonValue root = Json.parseObject(file, "header", json);
    Map<String, String> metadata = new LinkedHashMap<>();
    List<SafetensorsHeader.Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonValue> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = metadata(file, field.getValue());
      } else {
        entries.add(entry(file, field.getKey(), field.getValue(), dataSize));
      }
    }
    // Stable sort: zero-size tensors sharing an offset keep their header order.
    entries.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin).thenComparingLong(SafetensorsHeader.Entry::end));
    checkTiling(file, entries, dataSize);
    return new SafetensorsHeader(entries, metadata, dataStart, fileSize);
  }

  private static Map<String, String> metadata(Object file, JsonValue node) {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (node.isNull()) {
      return metadata; // the reference reads null as "no metadata"
    }
    if (!node.isObject()) {
      throw Errors.invalid(file, METADATA_KEY + " must be an object of strings, found " + Json.kind(node));
    }
    for (Map.Entry<String, JsonValue> kv : node.properties()) {
      if (!kv.getValue().isTextual()) {
        throw Errors.invalid(file, METADATA_KEY + " value of " + Errors.quote(kv.getKey()) + " must be a string, found " + Json.kind(kv.getValue()));
      }
      metadata.put(kv.getKey(), kv.getValue().textValue());
    }
    return metadata;
  }

  private static SafetensorsHeader.Entry entry(Object file, String name, JsonValue node, long dataSize) {
    String where = "tensor " + Errors.quote(name);
    if (!node.isObject()) {
      throw Errors.invalid(file, where + ": entry must be an object, found " + Json.kind(node));
    }
    DType dtype = dtype(file, where, node.get("dtype"));
    long[] shape = shape(file, where, node.get("shape"));
    TensorSpec spec;
    try {
      spec = new TensorSpec(name, dtype, shape);
    } catch (InvalidInputException e) {
      throw Errors.invalid(file, e.getMessage(), e);
    }
    JsonValue offsets = node.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw Errors.invalid(file, where + ": data_offsets must be an array [begin, end]");
    }
    long begin = Json.nonNegativeLong(offsets.get(0));
    long end = Json.nonNegativeLong(offsets.get(1));
    if (begin < 0 || end < 0) {
      throw Errors.invalid(file, where + ": data_offsets must be non-negative 64-bit integers, found ["
          + Json.brief(offsets.get(0)) + ", " + Json.brief(offsets.get(1)) + "]");
    }
    String range = "data_offsets [" + begin + ", " + end + "]";
    if (end < begin) {
      throw Errors.invalid(file, where + ": " + range + " end before they begin");
    }
    if (end - begin != spec.byteSize()) {
      throw Errors.invalid(file, where + ": " + range + " span " + (end - begin) + " bytes but " + dtype + Arrays.toString(shape) + " needs "
          + spec.byteSize());
    }
    if (end > dataSize) {
      throw Errors.invalid(file, where + ": " + range + " end past the data area of " + dataSize
          + " bytes (file truncated?)");
    }
    return new SafetensorsHeader.Entry(spec, begin, end);
  }

  private static DType dtype(Object file, String where, JsonValue node) {
    if (node == null || !node.isTextual()) {
      throw Errors.invalid(file, where + ": dtype must be a string, found " + Json.kind(node));
    }
    String name = node.textValue();
    try {
      DType dtype = DType.fromSafetensors(name);
      // fromSafetensors ignores case; the format does not, and nor does the reference.
      if (dtype.safetensorsName().equals(name)) {
        return dtype;
      }
    } catch (InvalidInputException e) {
      // reported below with the file and tensor
    }
    throw Errors.invalid(file, where + ": unknown dtype " + Errors.quote(name));
  }

  private static long[] shape(Object file, String where, JsonValue node) {
    if (node == null || !node.isArray()) {
      throw Errors.invalid(file, where + ": shape must be an array of integers, found " + Json.kind(node));
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Json.nonNegativeLong(node.get(i));
      if (shape[i] < 0) {
        throw Errors.invalid(file, where + ": dimension " + i + " of the shape is not a non-negative 64-bit integer: "
            + Json.brief(node.get(i)));
      }
    }
    return shape;
  }

  /** The sorted ranges must follow each other with no gap or overlap and end at the file's end. */
  private static void checkTiling(Object file, List<SafetensorsHeader.Entry> sorted, long dataSize) {
    long expected = 0;
    String previous = null;
    for (SafetensorsHeader.Entry e : sorted) {
      if (e.begin() < expected) {
        throw Errors.invalid(file, "tensor " + Errors.quote(e.name()) + " at [" + e.begin() + ", " + e.end()
            + ") overlaps tensor " + Errors.quote(previous) + " ending at " + expected);
      }
      if (e.begin() > expected) {
        throw Errors.invalid(file, "tensor " + Errors.quote(e.name()) + " begins at " + e.begin()
            + ", leaving a gap of " + (e.begin() - expected) + " unindexed bytes before it");
      }
      expected = e.end();
      previous = e.name();
    }
    if (expected != dataSize) {
      throw Errors.invalid(file, "data area has " + dataSize + " bytes but the tensors cover only " + expected
          + " (trailing bytes are not allowed)");
    }
  }
}
