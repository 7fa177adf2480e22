package nnzip.data;

import java.nio.file.Files;
import java.nio.file.Path;
import nnzip.InvalidInputException;

/**
 * A train and a test set with the shape of one example, resolved from a {@code --data} argument:
 * {@code fashion-mnist} (Debian's package) or a local directory holding the four gzipped IDX files
 * ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}, {@code t10k-…}).
 *
 * @param train training examples
 * @param test test examples
 * @param exampleShape shape of one example, product = dim
 */
public record Datasets(Dataset train, Dataset test, int[] exampleShape) {
  /** The name of Debian's Fashion-MNIST. */
  public static final String FASHION_MNIST = "fashion-mnist";

  /**
   * Loads the data sets a {@code --data} argument names.
   *
   * @throws InvalidInputException if the name is unknown, the directory lacks a file, or a file is corrupt
   */
  public static Datasets load(String spec) {
    Path dir;
    if (spec.equals(FASHION_MNIST)) {
      dir = FashionMnist.DEBIAN_DIR;
    } else {
      dir = Path.of(spec.startsWith("file:") ? java.net.URI.create(spec).getPath() : spec);
      if (!Files.isDirectory(dir)) {
        throw new InvalidInputException("unknown dataset '" + spec + "': give fashion-mnist or a directory of gzipped"
            + " IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-...)");
      }
    }
    Dataset train = FashionMnist.load(dir, "train");
    Dataset test = FashionMnist.load(dir, "t10k");
    int side = (int) Math.round(Math.sqrt(train.dim()));
    int[] shape = side * side == train.dim() ? new int[] {1, side, side} : new int[] {train.dim()};
    return new Datasets(train, test, shape);
  }
}
