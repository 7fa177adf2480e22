package nnzip.artifact;

import java.util.List;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;

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

  /** The safetensors spec of a stored entry ({@code t} null for shared parameters). */
  static TensorSpec spec(TensorRecord t, StoredEntry e) {
    if (e.role().equals(DATA)) {
      return new TensorSpec(e.key(), t.spec().dtype(), t.spec().shape());
    }
    if (e.isHalfParameter()) {
      return new TensorSpec(e.key(), DType.F16, new long[] {e.bytes() / 2});
    }
    if (e.parameterName() != null) {
      return new TensorSpec(e.key(), DType.F32, new long[] {e.bytes() / Float.BYTES});
    }
    return new TensorSpec(e.key(), DType.U8, new long[] {e.bytes()});
  }}
