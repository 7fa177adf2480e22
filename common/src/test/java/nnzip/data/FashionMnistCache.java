package nnzip.data;

/**
 * The Fashion-MNIST sets loaded once per test JVM (each load unzips and parses ~30 MB), shared by
 * the data and training tests. Tests must not modify the arrays.
 */
public final class FashionMnistCache {
  private static Dataset train;
  private static Dataset test;

  private FashionMnistCache() {}

  /** The 60,000 training examples. */
  public static synchronized Dataset train() {
    if (train == null) {
      train = FashionMnist.train();
    }
    return train;
  }

  /** The 10,000 test examples. */
  public static synchronized Dataset test() {
    if (test == null) {
      test = FashionMnist.test();
    }
    return test;
  }
}
