package nnzip.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * Resolves a {@code --data} argument to a train and a test set: {@value #FASHION_MNIST} (the Debian
 * package's files, {@link FashionMnist}), or a Hadoop path to an {@code .npz} file with Keras's
 * arrays {@code x_train, y_train, x_test, y_test}, or to a directory of the four MNIST-style IDX
 * files. uint8 features are scaled to [0, 1] as {@link IdxReader.Images#normalized()} does, float
 * features are taken as they are; the number of classes is the largest label + 1.
 */
public final class DataSource {
  /** The name of the built-in data set. */
  public static final String FASHION_MNIST = "fashion-mnist";
  /** The arrays an {@code .npz} data set must hold (the Keras {@code load_data} names). */
  public static final List<String> NPZ_KEYS = List.of("x_train", "y_train", "x_test", "y_test");
  /** The IDX files a directory must hold, each plain or with {@code .gz}. */
  public static final List<String> IDX_FILES = List.of(
      "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  /** Most classes a data set may have; a larger label is taken for a mistake. */
  public static final int MAX_CLASSES = 1 << 16;

  private DataSource() {}

  /**
   * Loads the data sets a {@code --data} argument names, with {@link HadoopFiles#configuration()}.
   *
   * @param spec {@value #FASHION_MNIST}, or a path ({@code file:}, {@code hdfs:}, plain local) to an
   *     {@code .npz} file or an IDX directory
   * @throws InvalidInputException if the name is unknown, the path missing or the data invalid
   */
  public static Datasets load(String spec) {
    return load(spec, HadoopFiles.configuration());
  }

  /**
   * Loads the data sets a {@code --data} argument names.
   *
   * @throws InvalidInputException if the name is unknown, the path missing or the data invalid
   * @throws UncheckedIOException if the file system fails
   */
  public static Datasets load(String spec, Configuration conf) {
    if (spec.trim().equals(FASHION_MNIST)) {
      return new Datasets(FashionMnist.train(), FashionMnist.test(), new int[] {1, 28, 28}, FASHION_MNIST);
    }
    String unknown = "unknown dataset '" + spec + "': give " + FASHION_MNIST
        + " or a path to an .npz file or an IDX directory";
    if (spec.isBlank()) {
      throw new InvalidInputException(unknown);
    }
    Path path = HadoopFiles.qualify(spec);
    try {
      boolean directory = path.getFileSystem(conf).getFileStatus(path).isDirectory();
      return directory ? fromIdxDirectory(path, conf) : fromNpz(path, conf);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(unknown + " (no such file or directory: " + path + ")", e);
    } catch (UnsupportedFileSystemException e) {
      throw new InvalidInputException(unknown + " (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Loads an {@code .npz} data set: {@code x_*} of shape [n, ...] in uint8 or a float dtype,
   * {@code y_*} of shape [n] or [n, 1] in any integer dtype. The example shape is {@code x_train}'s
   * shape without its first dimension, as stored (e.g. [28, 28], [1, 28, 28] or [784]).
   *
   * @throws InvalidInputException naming the file and array if an array is missing or invalid,
   *     shapes or lengths disagree, a feature is not finite or a label is out of range
   */
  public static Datasets fromNpz(Path path, Configuration conf) {
    Map<String, NpyArray> arrays = NpzReader.read(path, conf, Set.copyOf(NPZ_KEYS));
    for (String key : NPZ_KEYS) {
      if (!arrays.containsKey(key)) {
        throw new InvalidInputException(path + ": no array '" + key + "'; an .npz data set needs "
            + String.join(", ", NPZ_KEYS) + " (the Keras convention)");
      }
    }
    int[] shape = exampleShape(arrays.get("x_train"));
    int[] testShape = exampleShape(arrays.get("x_test"));
    if (!Arrays.equals(shape, testShape)) {
      throw new InvalidInputException(path + ": x_train examples have shape " + Arrays.toString(shape)
          + " but x_test examples " + Arrays.toString(testShape));
    }
    int[] trainLabels = labels(arrays.get("y_train"), arrays.get("x_train"));
    int[] testLabels = labels(arrays.get("y_test"), arrays.get("x_test"));
    int classes = numClasses(path.toString(), trainLabels, testLabels);
    int dim = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    Dataset train = new Dataset(features(arrays.get("x_train")), trainLabels, trainLabels.length, dim, classes);
    Dataset test = new Dataset(features(arrays.get("x_test")), testLabels, testLabels.length, dim, classes);
    return new Datasets(train, test, shape, path.toString());
  }

  /**
   * Loads a directory of the four {@link #IDX_FILES} (each plain, or gzipped with {@code .gz}; the
   * plain one wins if both exist). The example shape is [1, rows, cols].
   *
   * @throws InvalidInputException naming the directory or file if a file is missing or invalid, the
   *     image sizes of train and test differ, or the labels span fewer than 2 classes
   */
  public static Datasets fromIdxDirectory(Path dir, Configuration conf) {
    Path[] files = new Path[IDX_FILES.size()];
    try {
      FileSystem fs = dir.getFileSystem(conf);
      for (int i = 0; i < files.length; i++) {
        files[i] = new Path(dir, IDX_FILES.get(i));
        if (!fs.isFile(files[i])) {
          files[i] = new Path(dir, IDX_FILES.get(i) + ".gz");
        }
        if (!fs.isFile(files[i])) {
          throw new InvalidInputException(dir + ": IDX directory lacks " + IDX_FILES.get(i) + "[.gz]; it needs "
              + String.join(", ", IDX_FILES));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    IdxReader.Images trainImages = IdxReader.readImages(files[0], conf);
    IdxReader.Images testImages = IdxReader.readImages(files[2], conf);
    if (trainImages.rows() != testImages.rows() || trainImages.cols() != testImages.cols()) {
      throw new InvalidInputException(dir + ": training images are " + trainImages.rows() + "x" + trainImages.cols()
          + " but test images " + testImages.rows() + "x" + testImages.cols());
    }
    int[] trainLabels = IdxReader.readLabels(files[1], conf);
    int[] testLabels = IdxReader.readLabels(files[3], conf);
    int classes = numClasses(dir.toString(), trainLabels, testLabels);
    return new Datasets(Dataset.of(trainImages, trainLabels, classes, files[0].toString()),
        Dataset.of(testImages, testLabels, classes, files[2].toString()),
        new int[] {1, trainImages.rows(), trainImages.cols()}, dir.toString());
  }

  /** The shape of one example: {@code x}'s shape without the first dimension, which is n ≥ 1. */
  private static int[] exampleShape(NpyArray x) {
    int[] shape = x.shape();
    if (shape.length < 2 || shape[0] == 0 || Arrays.stream(shape).anyMatch(d -> d == 0)) {
      throw new InvalidInputException(x.name() + ": shape " + NpyHeader.format(shape)
          + " is not [n, ...] with n ≥ 1 examples of at least one feature each");
    }
    return Arrays.copyOfRange(shape, 1, shape.length);
  }

  /** Features of all examples, length n·dim: uint8 scaled by 1/255, floats as they are. */
  private static float[] features(NpyArray x) {
    NpyDtype type = x.dtype();
    if (type == NpyDtype.UINT8) {
      byte[] raw = x.data();
      float[] out = new float[raw.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (raw[i] & 0xff) / 255f; // exactly IdxReader.Images.normalized()
      }
      return out;
    }
    if (type.isInteger()) {
      throw new InvalidInputException(x.name() + ": features must be uint8 (scaled to [0, 1]) or float, got "
          + x.descr());
    }
    return x.floats();
  }

  /** Labels of shape [n] or [n, 1], n = x's first dimension, each ≥ 0; length n. */
  private static int[] labels(NpyArray y, NpyArray x) {
    int[] shape = y.shape();
    if (shape.length < 1 || shape.length > 2 || (shape.length == 2 && shape[1] != 1)) {
      throw new InvalidInputException(y.name() + ": labels must have shape (n,) or (n, 1), got "
          + NpyHeader.format(shape));
    }
    if (shape[0] != x.shape()[0]) {
      String entry = x.name().substring(x.name().lastIndexOf(':') + 1);
      throw new InvalidInputException(y.name() + ": " + shape[0] + " labels but " + entry + " has "
          + x.shape()[0] + " examples");
    }
    int[] labels = y.ints();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= MAX_CLASSES) {
        throw new InvalidInputException(y.name() + ": label " + labels[i] + " of example " + i
            + " is outside [0, " + MAX_CLASSES + ")");
      }
    }
    return labels;
  }

  /** Largest label + 1 over both sets, at least 2. */
  private static int numClasses(String name, int[] train, int[] test) {
    int max = Math.max(Arrays.stream(train).max().orElse(-1), Arrays.stream(test).max().orElse(-1));
    if (max < 1) {
      throw new InvalidInputException(name + ": the labels span " + (max + 1) + " class(es); need at least 2");
    }
    return max + 1;
  }
}
