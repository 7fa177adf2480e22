package nnzip.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * One dense layer of an {@link Mlp}, y = x·Wᵀ + b, stored as PyTorch's {@code nn.Linear} stores
 * it. Immutable: the arrays are copied in and out.
 *
 * @param in input features, ≥ 1
 * @param out output features, ≥ 1
 * @param weight [out, in] row-major, length out·in
 * @param bias length out
 */
public record DenseLayer(int in, int out, float[] weight, float[] bias) {
  /**
   * Copies the arrays and checks their lengths.
   *
   * @throws IllegalArgumentException if a size is not positive or a length disagrees
   */
  public DenseLayer {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException("layer sizes must be positive: in=" + in + " out=" + out);
    }
    if (weight.length != Math.multiplyExact(in, out) || bias.length != out) {
      throw new IllegalArgumentException("layer " + in + "->" + out + ": weight has " + weight.length
          + " values (expected " + (long) in * out + "), bias " + bias.length + " (expected " + out + ")");
    }
    weight = weight.clone();
    bias = bias.clone();
  }

  /** A copy of the [out, in] row-major weight. */
  @Override
  public float[] weight() {
    return weight.clone();
  }

  /** A copy of the bias. */
  @Override
  public float[] bias() {
    return bias.clone();
  }

  void forward(float[] x, int xOff, int n, boolean relu, float[] y) {
    Dense.forward(x, xOff, n, in, weight, bias, out, relu, y);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DenseLayer l && in == l.in && out == l.out
        && Arrays.equals(weight, l.weight) && Arrays.equals(bias, l.bias);
  }

  @Override
  public int hashCode() {
    return Objects.hash(in, out, Arrays.hashCode(weight), Arrays.hashCode(bias));
  }

  @Override
  public String toString() {
    return "DenseLayer[" + in + "->" + out + "]";
  }
}

