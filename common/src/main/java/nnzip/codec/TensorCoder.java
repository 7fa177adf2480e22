package nnzip.codec;

import java.io.Serializable;

/**
 * The seam every codec's fitted form passes through, in the Faiss {@code Quantizer} spirit: encode
 * and the one decode of a tensor's values, in groups of {@link #elementsPerGroup} consecutive
 * elements that become {@link #codesPerGroup} codes each (1 and 1 for a scalar codec; d and M for
 * additive quantization). The compress job's encode pass, the artifact restorer and the finetune
 * bindings' reference tests all call these two methods, so decode is written once per codec.
 * Immutable, so one instance can be broadcast to every executor.
 */
public interface TensorCoder extends Serializable {
  /** Bits per code. */
  int bits();

  /** Consecutive elements one group of codes stands for (≥ 1). */
  default int elementsPerGroup() {
    return 1;
  }

  /** Codes per group (≥ 1). */
  default int codesPerGroup() {
    return 1;
  }

  /**
   * Encodes {@code groups} groups: {@code values[0 .. groups·e)}, the tensor's elements from
   * {@code firstGroup·e} (e = {@link #elementsPerGroup}; the tail past the tensor's end zero-padded),
   * into {@code codes[0 .. groups·c)}, each in [0, 2^bits).
   */
  void encode(float[] values, int groups, long firstGroup, int[] codes);

  /** Decodes {@code codes[0 .. groups·c)} of the groups from {@code firstGroup} into {@code out[0 .. groups·e)}. */
  void decode(int[] codes, int groups, long firstGroup, float[] out);

  /**
   * The parameters the codec's restore needs, by name; each becomes a tensor {@code <tensor>.<name>}
   * in the artifact (or {@code nnzip.codebook.<name>} when a group of tensors shares it), F16 when
   * every value is exactly one, else F32. Iteration order is fixed.
   */
  java.util.Map<String, float[]> parameters();

  /**
   * The names among {@link #parameters} that a codebook group shares under global scope (stored
   * once for every tensor of the group); the others stay with each tensor. All of them for a scalar
   * codec; aq's codebooks but not each tensor's scale.
   */
  default java.util.Set<String> groupParameters() {
    return parameters().keySet();
  }

  /** Codes a tensor of {@code elements} elements holds: ⌈elements / e⌉ · c. */
  default long codeCount(long elements) {
    long e = elementsPerGroup();
    return Math.multiplyExact((elements + e - 1) / e, (long) codesPerGroup());
  }

  /**
   * Codes per row, the arithmetic coder's "above" context: for a scalar codec the row of a weight
   * matrix (all axes but the first), for a vector codec the codes of one group.
   *
   * @param shape the tensor's shape
   * @param limit the most codes a row may hold
   */
  default int rowLength(long[] shape, int limit) {
    if (codesPerGroup() > 1 || elementsPerGroup() > 1) {
      return codesPerGroup();
    }
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    long row = shape.length < 2 || shape[0] == 0 ? 1 : n / shape[0];
    return (int) Math.min(row, limit);
  }
}
