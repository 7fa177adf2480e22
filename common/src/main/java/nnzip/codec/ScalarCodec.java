package nnzip.codec;

import java.io.Serializable;
import java.util.Map;

/**
 * A scalar quantizer family in the Faiss spirit: a mergeable {@link Summary} is built over a
 * tensor's values (on any number of shards), {@link #fit} turns it into an immutable
 * {@link Quantizer}, and {@link #restore} rebuilds that quantizer from the parameters stored in an
 * artifact. A distributed job only partitions, merges summaries and broadcasts quantizers, so a
 * new codec needs no change to the job.
 */
public interface ScalarCodec extends Serializable {

  /** Which codec this is, as stored in the manifest. */
  CodecKind kind();

  /** Lower-case codec name, as written in recipes and reports. */
  default String name() {
    return kind().label();
  }

  /** Bits per code index. */
  int bits();

  /** An empty summary for an F32 tensor with this layout. */
  default Summary newSummary(TensorLayout layout) {
    return newSummary(layout, nnzip.tensor.DType.F32);
  }

  /**
   * An empty summary for a tensor with this layout whose values were stored as {@code dtype}
   * (a codec may bin F16/BF16 values losslessly by their bit pattern).
   */
  Summary newSummary(TensorLayout layout, nnzip.tensor.DType dtype);

  /**
   * The quantizer for the values summarized.
   *
   * @throws IllegalArgumentException if the summary came from another codec
   */
  Quantizer fit(Summary summary);

  /** Parameters each group stores: 2 for uniform (min, step), 2^bits levels for dp. */
  int parametersPerGroup();

  /**
   * The quantizer with every parameter an F16 value, when the codec's rule says F16 adds an error
   * well below the code's own quantization error; else null (the parameters stay F32). Codes are
   * then chosen against the rounded parameters, so reported errors are the real ones.
   */
  default Quantizer toHalf(Quantizer exact) {
    return null;
  }

  /**
   * Rebuilds a quantizer from {@link Quantizer#parameters()} as read back from an artifact.
   *
   * @throws nnzip.InvalidInputException if a parameter is missing or has the wrong length
   */
  Quantizer restore(TensorLayout layout, Map<String, float[]> parameters);

  /** What a codec needs to know about a tensor's values; merging is associative and commutative. */
  interface Summary extends Serializable {
    /**
     * Adds {@code values[0..n)}, which are the tensor's elements {@code first .. first+n)}.
     * Values are finite (the caller rejects NaN/Inf first).
     */
    void add(float[] values, int n, long first);

    /**
     * This summary combined with another of the same tensor, or (global scope) of another tensor
     * with as many channels; neither argument is changed.
     */
    Summary merge(Summary other);
  }

  /**
   * A fitted, immutable quantizer for one tensor: a {@link TensorCoder} whose groups are single
   * elements, so {@code encode(values, n, first, codes)} codes elements {@code first .. first+n)}.
   */
  interface Quantizer extends TensorCoder {}
}
