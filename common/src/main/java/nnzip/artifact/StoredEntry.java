package nnzip.artifact;

import java.util.List;

/**
 * One safetensors entry of the artifact that belongs to a tensor: its code indices, a codec
 * parameter, or the tensor itself when passed through.
 *
 * @param key safetensors key, e.g. {@code fc1.weight.codes}
 * @param role {@code codes} (bit-packed), {@code codes-cabac} (arithmetic-coded segments, one chunk each),
 *     {@code data}, {@code param:<name>} (F32) or {@code param16:<name>} (F16)
 * @param chunks consecutive byte runs covering the entry, in order
 */
public record StoredEntry(String key, String role, List<Chunk> chunks) {
  public static final String CODES = "codes";
  public static final String CODES_CABAC = "codes-cabac";
  public static final String DATA = "data";
  public static final String PARAM_PREFIX = "param:";
  public static final String HALF_PARAM_PREFIX = "param16:";

  public StoredEntry {
    chunks = List.copyOf(chunks);
  }

  /** True for a tensor's code indices, in either form. */
  public boolean isCodes() {
    return role.equals(CODES) || role.equals(CODES_CABAC);
  }

  /** Total bytes of the entry. */
  public long bytes() {
    return chunks.stream().mapToLong(Chunk::bytes).sum();
  }

  /** The parameter name for a {@code param:<name>} or {@code param16:<name>} role, else null. */
  public String parameterName() {
    if (role.startsWith(PARAM_PREFIX)) {
      return role.substring(PARAM_PREFIX.length());
    }
    return role.startsWith(HALF_PARAM_PREFIX) ? role.substring(HALF_PARAM_PREFIX.length()) : null;
  }

  /** True for a parameter stored as F16. */
  public boolean isHalfParameter() {
    return role.startsWith(HALF_PARAM_PREFIX);
  }
}
