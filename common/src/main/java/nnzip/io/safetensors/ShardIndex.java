package nnzip.io.safetensors;

import nnzip.io.json.JsonValue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import nnzip.io.ReadableFile;

/**
 * The weight map of a Hugging Face sharded checkpoint index ({@code model.safetensors.index.json}:
 * {@code {"metadata": {...}, "weight_map": {"tensor": "shard file"}}}). Shard names must be plain
 * file names (no separator, no {@code ..}, no URI scheme), resolved next to the index;
 * {@link SafetensorsModel} then refuses a shard that a symlink takes outside the model directory.
 *
 * @param weightMap tensor name → shard file name, in index order
 */
record ShardIndex(Map<String, String> weightMap) {

  ShardIndex {
    weightMap = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
  }

  /** The distinct shard file names, sorted: the order in which a model's shards are read. */
  SortedSet<String> shards() {
    return new TreeSet<>(weightMap.values());
  }

  /**
   * Reads and checks an index file.
   *
   * @throws nnzip.InvalidInputException if the file is missing, larger than {@link
   *     SafetensorsHeader#MAX_HEADER_BYTES}, not a JSON object, or its weight map is absent, not an
   *     object of strings, or names a shard that is not a plain file name (a separator, {@code ..}
   *     or a colon)
   * @throws IOException if the file system fails
   */
  static ShardIndex read(ReadableFile index) throws IOException {
    long size = SafetensorsFile.size(index);
    if (size > SafetensorsHeader.MAX_HEADER_BYTES) {
      throw Errors.invalid(index, "index of " + size + " bytes exceeds the cap of " + SafetensorsHeader.MAX_HEADER_BYTES);
    }
    byte[] bytes = new byte[(int) size];
    try (ReadableFile.Positioned in = index.open()) {
      in.readFully(0, bytes, 0, bytes.length);
    }
    return parse(index, bytes);
  }

  /**
   * Parses index JSON.
   *
   * @param index the index file, named in messages
   * @throws nnzip.InvalidInputException as {@link #read}
   */
  static ShardIndex parse(Object index, byte[] json) {
    JsonValue root = Json.parseObject(index, "index", json);
    JsonValue map = root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw Errors.invalid(index, "index has no \"weight_map\" object");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> kv : map.properties()) {
      String where = "weight_map entry " + Errors.quote(kv.getKey());
      if (!kv.getValue().isTextual()) {
        throw Errors.invalid(index, where + " must be a shard file name (string)");
      }
      String shard = kv.getValue().textValue();
      // A colon would make Hadoop's Path read a URI scheme (file:, hdfs:) out of the name.
      if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.contains(":")
          || shard.equals(".") || shard.equals("..")) {
        throw Errors.invalid(index, where + " names shard " + Errors.quote(shard) + ", which is not a plain file name");
      }
      weightMap.put(kv.getKey(), shard);
    }
    return new ShardIndex(weightMap);
  }
}
