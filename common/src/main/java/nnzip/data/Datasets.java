package nnzip.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A train and a test set from one source, with the shape of one example so that convolutional
 * models can see it as an image; {@link DataSource#load} builds them from a {@code --data}
 * argument. Both sets have the same dim and number of classes.
 *
 * @param train training examples
 * @param test test examples, for final reports only
 * @param exampleShape shape of one example without the batch dimension, e.g. [1, 28, 28]; each
 *     size ≥ 1, product = dim of both sets (copied in and out)
 * @param name what the sets were loaded from: {@code fashion-mnist} or the path
 */
public record Datasets(Dataset train, Dataset test, int[] exampleShape, String name) {

  /**
   * Checks that both sets agree with each other and with the example shape.
   *
   * @throws IllegalArgumentException if dims, class counts or the example shape disagree
   */
  public Datasets {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(name, "name");
    exampleShape = exampleShape.clone();
    long product = 1;
    for (int d : exampleShape) {
      if (d < 1) {
        throw new IllegalArgumentException("example shape " + Arrays.toString(exampleShape) + " has a size < 1");
      }
      product = Math.multiplyExact(product, d);
    }
    if (exampleShape.length == 0 || product != train.dim() || product != test.dim()) {
      throw new IllegalArgumentException("example shape " + Arrays.toString(exampleShape) + " does not match dim "
          + train.dim() + " (train) and " + test.dim() + " (test)");
    }
    if (train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException("train has " + train.numClasses() + " classes but test has "
          + test.numClasses());
    }
  }

  /** A copy of the example shape. */
  @Override
  public int[] exampleShape() {
    return exampleShape.clone();
  }

  /** Number of classes, the same in both sets. */
  public int numClasses() {
    return train.numClasses();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Datasets d && train.equals(d.train) && test.equals(d.test)
        && Arrays.equals(exampleShape, d.exampleShape) && name.equals(d.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(train, test, Arrays.hashCode(exampleShape), name);
  }

  @Override
  public String toString() {
    return "Datasets[" + name + ", train=" + train + ", test=" + test + ", exampleShape="
        + Arrays.toString(exampleShape) + "]";
  }
}
