package nnzip.train;

import java.util.Arrays;
import java.util.Objects;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;

/**
 * A named F32 tensor with its values, row-major. Immutable: the values are copied in and out.
 *
 * @param spec name, dtype (always {@link DType#F32}) and shape
 * @param data values, length {@code spec.numElements()}
 */
public record FloatTensor(TensorSpec spec, float[] data) {

  /**
   * Copies the values and checks dtype and length.
   *
   * @throws IllegalArgumentException if the dtype is not F32 or the length disagrees with the shape
   */
  public FloatTensor {
    Objects.requireNonNull(spec, "spec");
    if (spec.dtype() != DType.F32) {
      throw new IllegalArgumentException("tensor '" + spec.name() + "': dtype " + spec.dtype() + ", expected F32");
    }
    if (data.length != spec.numElements()) {
      throw new IllegalArgumentException("tensor '" + spec.name() + "': shape " + Arrays.toString(spec.shape())
          + " needs " + spec.numElements() + " values, got " + data.length);
    }
    data = data.clone();
  }

  /** A tensor named {@code name} of the given shape. */
  public static FloatTensor of(String name, float[] data, long... shape) {
    return new FloatTensor(new TensorSpec(name, DType.F32, shape), data);
  }

  /** A copy of the values. */
  @Override
  public float[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && spec.equals(t.spec) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * spec.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor[" + spec + "]";
  }
}
