package nnzip.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;

/**
 * A labelled classification data set held in memory: {@code n} examples of {@code dim} features
 * each, row-major in one array, and one class index per example. The arrays are taken over
 * without copying (a Fashion-MNIST training set is 188 MB) and returned as they are, so callers
 * must treat them as read-only; every method that derives a data set copies.
 *
 * @param features row-major n × dim feature matrix, length n·dim (pixels normalized to [0, 1])
 * @param labels class of each example, length n, each in [0, numClasses)
 * @param n number of examples, ≥ 0
 * @param dim features per example, ≥ 1
 * @param numClasses number of classes, ≥ 1
 */
public record Dataset(float[] features, int[] labels, int n, int dim, int numClasses) {

  /**
   * Checks sizes and label range.
   *
   * @throws IllegalArgumentException if an array length disagrees with n and dim or a label is
   *     out of range
   */
  public Dataset {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (n < 0 || dim < 1 || numClasses < 1) {
      throw new IllegalArgumentException("bad sizes n=" + n + " dim=" + dim + " numClasses=" + numClasses);
    }
    if (features.length != Math.multiplyExact(n, dim)) {
      throw new IllegalArgumentException(
          "features: expected n*dim = " + n + "*" + dim + " values, got " + features.length);
    }
    if (labels.length != n) {
      throw new IllegalArgumentException("labels: expected " + n + " values, got " + labels.length);
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of example " + i + " is outside [0, " + numClasses + ")");
      }
    }
  }

  /**
   * A data set from IDX images and labels, pixels scaled to [0, 1].
   *
   * @param name file or data set name for error messages
   * @throws InvalidInputException if image and label counts differ or a label is ≥ numClasses
   */
  public static Dataset of(IdxReader.Images images, int[] labels, int numClasses, String name) {
    if (images.count() != labels.length) {
      throw new InvalidInputException(
          name + ": " + images.count() + " images but " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= numClasses) {
        throw new InvalidInputException(
            name + ": label " + labels[i] + " of example " + i + " is not below " + numClasses);
      }
    }
    return new Dataset(images.normalized(), labels, labels.length, images.dim(), numClasses);
  }

  /** A training part and a validation part carved out of one data set. */
  public record Split(Dataset train, Dataset validation) {}

  /**
   * Splits off a random {@code fraction} of the examples as validation set; the rest is the
   * training set. The same seed gives the same split; both parts keep the original order, and
   * together they hold every example exactly once.
   *
   * @param fraction share of examples for validation, in (0, 1); rounded to a whole count
   * @param seed seed of the permutation
   * @throws IllegalArgumentException if the fraction is out of range or leaves a part empty
   */
  public Split split(double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
    }
    int nVal = (int) Math.round(fraction * n);
    if (nVal == 0 || nVal == n) {
      throw new IllegalArgumentException(
          "fraction " + fraction + " of " + n + " examples leaves one part empty");
    }
    int[] perm = permutation(n, new SplittableRandom(seed));
    int[] val = Arrays.copyOfRange(perm, 0, nVal);
    int[] train = Arrays.copyOfRange(perm, nVal, n);
    Arrays.sort(val);
    Arrays.sort(train);
    return new Split(rows(train), rows(val));
  }

  /**
   * The examples at the given indices, in that order (copied).
   *
   * @param indices example indices, each in [0, n); repeats allowed
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public Dataset rows(int[] indices) {
    float[] f = new float[Math.multiplyExact(indices.length, dim)];
    int[] l = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int r = Objects.checkIndex(indices[i], n);
      System.arraycopy(features, r * dim, f, i * dim, dim);
      l[i] = labels[r];
    }
    return new Dataset(f, l, indices.length, dim, numClasses);
  }

  /**
   * The first {@code count} examples (copied).
   *
   * @param count number of examples, in [0, n]
   */
  public Dataset head(int count) {
    Objects.checkFromToIndex(0, count, n);
    return new Dataset(Arrays.copyOf(features, count * dim), Arrays.copyOf(labels, count), count, dim, numClasses);
  }

  /** Number of examples of each class, length numClasses. */
  public int[] classCounts() {
    int[] counts = new int[numClasses];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /**
   * A uniformly random permutation of 0..size-1 (Fisher–Yates), drawn from {@code rng}.
   *
   * @param size length of the permutation, ≥ 0
   */
  public static int[] permutation(int size, SplittableRandom rng) {
    int[] p = new int[size];
    for (int i = 0; i < size; i++) {
      p[i] = i;
    }
    for (int i = size - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dataset d && n == d.n && dim == d.dim && numClasses == d.numClasses
        && Arrays.equals(labels, d.labels) && Arrays.equals(features, d.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(n, dim, numClasses, Arrays.hashCode(labels), Arrays.hashCode(features));
  }

  @Override
  public String toString() {
    return "Dataset[n=" + n + ", dim=" + dim + ", numClasses=" + numClasses + "]";
  }
}
