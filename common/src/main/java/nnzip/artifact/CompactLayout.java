package nnzip.artifact;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where format 3 puts things beyond the logical manifest ({@link CompactHeader} writes it,
 * {@link CompactHeaderReader} reads it).
 *
 * @param blobBytes size of the blob entry, 0 when there is none
 * @param blobSha256 digest of the blob, null when there is none
 * @param blobOffsets offset inside the blob of each member entry, by key
 * @param graphSha256 digest of the deflated graph entry, null without one
 * @param inlineGraph the ONNX graph without weights carried in the header itself, null unless the
 *     graph key is {@link Manifest#ONNX_GRAPH_IN_HEADER_KEY}
 */
record CompactLayout(long blobBytes, byte[] blobSha256, Map<String, Long> blobOffsets, byte[] graphSha256,
    byte[] inlineGraph) {
  static final CompactLayout NONE = new CompactLayout(0, null, Map.of(), null, null);

  CompactLayout {
    blobOffsets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobOffsets));
  }

  boolean inBlob(String key) {
    return blobOffsets.containsKey(key);
  }

  /**
   * The key an entry of this role gets by convention: {@code <tensor>} for a passed-through
   * tensor's data, {@code <tensor>.codes} for codes, {@code <tensor>.<name>} for a parameter
   * ({@code prefix} is {@code "<tensor>."}, or {@link Manifest#SHARED_PREFIX} for shared entries).
   */
  static String defaultKey(String prefix, String role) {
    if (role.equals(StoredEntry.DATA)) {
      return prefix.endsWith(".") && !prefix.equals(Manifest.SHARED_PREFIX) ? prefix.substring(0, prefix.length() - 1)
          : null;
    }
    if (role.equals(StoredEntry.CODES) || role.equals(StoredEntry.CODES_CABAC)) {
      return prefix + StoredEntry.CODES;
    }
    String param = new StoredEntry("", role, List.of()).parameterName();
    return param == null ? null : prefix + param;
  }
}
