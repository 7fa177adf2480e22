package nnzip.data;

import nnzip.InvalidInputException;

/**
 * A train and a test set with the shape of one example.
 *
 * @param train training examples
 * @param test test examples
 * @param exampleShape shape of one example, product = dim
 */
public record Datasets(Dataset train, Dataset test, int[] exampleShape) {
  /** TEMPORARY until DataSource lands: fashion-mnist only. */
  public static Datasets load(String spec) {
    if (!spec.equals("fashion-mnist")) {
      throw new InvalidInputException("unknown dataset '" + spec + "'");
    }
    return new Datasets(FashionMnist.train(), FashionMnist.test(), new int[] {1, 28, 28});
  }
}
