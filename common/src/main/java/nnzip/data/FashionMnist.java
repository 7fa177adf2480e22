package nnzip.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nnzip.InvalidInputException;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28×28 grey-scale images of 10 clothing classes,
 * 60,000 for training (6,000 per class) and 10,000 for testing, read from the gzipped IDX files
 * that the Debian package {@code dataset-fashion-mnist} installs. Model choice must use a
 * validation split of {@link #train()} ({@link Dataset#split}); {@link #test()} is for the
 * final figure only.
 */
public final class FashionMnist {
  /** Where the Debian package installs the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  /** The Debian package that provides the files. */
  public static final String PACKAGE = "dataset-fashion-mnist";
  /** Number of classes. */
  public static final int NUM_CLASSES = 10;
  /** Class names, indexed by label. */
  public static final List<String> CLASS_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  /**
   * The 60,000 training images and labels from {@link #DEBIAN_DIR}.
   *
   * @throws InvalidInputException if the package is not installed or a file is corrupt
   */
  public static Dataset train() {
    return load(DEBIAN_DIR, "train");
  }

  /**
   * The 10,000 test images and labels from {@link #DEBIAN_DIR}.
   *
   * @throws InvalidInputException if the package is not installed or a file is corrupt
   */
  public static Dataset test() {
    return load(DEBIAN_DIR, "t10k");
  }

  /**
   * Loads {@code <prefix>-images-idx3-ubyte.gz} and {@code <prefix>-labels-idx1-ubyte.gz} from a
   * local directory.
   *
   * @param prefix "train" or "t10k"
   * @throws InvalidInputException if a file is missing (naming the Debian package) or corrupt
   */
  public static Dataset load(Path dir, String prefix) {
    Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
    Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
    for (Path p : List.of(images, labels)) {
      if (!Files.isRegularFile(p)) {
        throw new InvalidInputException(p + ": Fashion-MNIST file missing; install the Debian package "
            + PACKAGE + " (apt-get install " + PACKAGE + ")");
      }
    }
    return Dataset.of(IdxReader.readImages(images), IdxReader.readLabels(labels), NUM_CLASSES, images.toString());
  }
}
