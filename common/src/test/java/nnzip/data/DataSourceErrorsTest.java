package nnzip.data;

import static nnzip.data.NpyFixtures.encode;
import static nnzip.data.NpyFixtures.npy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a {@code --data} argument can be wrong gives a one-line message naming the culprit. */
class DataSourceErrorsTest {
  static final String UNKNOWN = "give fashion-mnist or a path to an .npz file or an IDX directory";

  @TempDir Path tmp;

  /** A valid 3-class data set of 2×2 float examples: 4 for training, 2 for testing. */
  static Map<String, byte[]> valid() {
    Map<String, byte[]> a = new LinkedHashMap<>();
    a.put("x_train", npy("<f4", new int[] {4, 2, 2}, encode("<f4", new double[16])));
    a.put("y_train", npy("<i8", new int[] {4}, encode("<i8", 0, 1, 2, 1)));
    a.put("x_test", npy("<f4", new int[] {2, 2, 2}, encode("<f4", new double[8])));
    a.put("y_test", npy("<i8", new int[] {2}, encode("<i8", 2, 0)));
    return a;
  }

  String rejects(Map<String, byte[]> arrays, String part) {
    Path file = NpyFixtures.write(tmp.resolve("d.npz"), NpyFixtures.npz(true, arrays));
    return rejects(file.toString(), part);
  }

  static String rejects(String spec, String part) {
    String m = assertThrows(InvalidInputException.class, () -> DataSource.load(spec)).getMessage();
    assertTrue(m.contains(part) && !m.contains("\n"), m);
    return m;
  }

  @Test
  void theValidFixtureLoads() {
    Path file = NpyFixtures.write(tmp.resolve("ok.npz"), NpyFixtures.npz(false, valid()));
    assertEquals(3, DataSource.load(file.toString()).numClasses());
  }

  @Test
  void anUnknownNameOrMissingPathSaysWhatToGive() {
    assertEquals("unknown dataset 'mnist': " + UNKNOWN, rejects("mnist", UNKNOWN).split(" \\(")[0]);
    rejects("", "unknown dataset ''");
    rejects(tmp + "/none.npz", "(no such file or directory: file:" + tmp + "/none.npz)");
    rejects("nosuchscheme://host/x.npz", "unknown dataset 'nosuchscheme://host/x.npz'");
  }

  @Test
  void aFileThatIsNotAnNpzArchiveIsNamed() {
    Path npyFile = NpyFixtures.write(tmp.resolve("x.npy"), valid().get("x_train"));
    rejects(npyFile.toString(), npyFile + ": not an .npz file (no zip signature)");
  }

  @Test
  void everyKerasArrayIsRequired() {
    for (String key : DataSource.NPZ_KEYS) {
      Map<String, byte[]> a = valid();
      a.remove(key);
      rejects(a, "d.npz: no array '" + key + "'; an .npz data set needs x_train, y_train, x_test, y_test");
    }
  }

  @Test
  void exampleAndLabelCountsMustAgree() {
    Map<String, byte[]> a = valid();
    a.put("y_train", npy("<i8", new int[] {3}, encode("<i8", 0, 1, 2)));
    rejects(a, "d.npz:y_train.npy: 3 labels but x_train.npy has 4 examples");
  }

  @Test
  void trainAndTestExampleShapesMustAgree() {
    Map<String, byte[]> a = valid();
    a.put("x_test", npy("<f4", new int[] {2, 4}, encode("<f4", new double[8])));
    rejects(a, "d.npz: x_train examples have shape [2, 2] but x_test examples [4]");
  }

  @Test
  void shapesMustBeExamplesAndLabelVectors() {
    Map<String, byte[]> a = valid();
    a.put("x_train", npy("<f4", new int[] {4}, encode("<f4", new double[4])));
    rejects(a, "x_train.npy: shape (4,) is not [n, ...]");
    a = valid();
    a.put("x_train", npy("<f4", new int[] {0, 2, 2}, new byte[0]));
    rejects(a, "x_train.npy: shape (0, 2, 2) is not [n, ...] with n ≥ 1");
    a = valid();
    a.put("y_train", npy("<i8", new int[] {4, 2}, encode("<i8", new double[8])));
    rejects(a, "y_train.npy: labels must have shape (n,) or (n, 1), got (4, 2)");
  }

  @Test
  void labelsMustBeNonNegativeIntegersSpanningTwoClasses() {
    Map<String, byte[]> a = valid();
    a.put("y_test", npy("<i4", new int[] {2}, encode("<i4", 2, -1)));
    rejects(a, "y_test.npy: label -1 of example 1 is outside [0, 65536)");
    a.put("y_test", npy("<i4", new int[] {2}, encode("<i4", 2, 70_000)));
    rejects(a, "y_test.npy: label 70000 of example 1 is outside [0, 65536)");
    a.put("y_test", npy("<f4", new int[] {2}, encode("<f4", 2, 0)));
    rejects(a, "y_test.npy: expected an integer dtype, got <f4");
    a.put("y_test", npy("<u8", new int[] {2}, encode("<u8", 0, -1)));
    rejects(a, "y_test.npy: element 1 = 18446744073709551615 does not fit an int");
    a = valid();
    a.put("y_train", npy("<i8", new int[] {4}, encode("<i8", 0, 0, 0, 0)));
    a.put("y_test", npy("<i8", new int[] {2}, encode("<i8", 0, 0)));
    rejects(a, "d.npz: the labels span 1 class(es); need at least 2");
  }

  @Test
  void featuresMustBeUint8OrFiniteFloats() {
    Map<String, byte[]> a = valid();
    a.put("x_train", npy("<i8", new int[] {4, 2, 2}, encode("<i8", new double[16])));
    rejects(a, "x_train.npy: features must be uint8 (scaled to [0, 1]) or float, got <i8");
    double[] values = new double[16];
    values[5] = Double.NaN;
    a.put("x_train", npy("<f4", new int[] {4, 2, 2}, encode("<f4", values)));
    rejects(a, "d.npz:x_train.npy: element 5 is NaN; arrays must hold finite numbers");
    values[5] = Double.NEGATIVE_INFINITY;
    a.put("x_train", npy("<f8", new int[] {4, 2, 2}, encode("<f8", values)));
    rejects(a, "x_train.npy: element 5 is -Infinity");
    a.put("x_train", npy("<f4", new int[] {4, 2, 2}, encode("<f4", new double[15])));
    rejects(a, "x_train.npy: truncated: shape (4, 2, 2) of <f4 needs 64 data bytes but only 60 follow");
  }

  @Test
  void anIdxDirectoryNeedsAllFourFilesOfOneImageSize() throws IOException {
    byte[] labels = IdxReaderTest.labels(new byte[] {0, 1});
    Files.write(tmp.resolve("train-images-idx3-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.images(2, 2, 2, new byte[8])));
    Files.write(tmp.resolve("train-labels-idx1-ubyte"), labels);
    Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), labels);
    rejects(tmp.toString(), "IDX directory lacks t10k-images-idx3-ubyte[.gz]; it needs train-images-idx3-ubyte, "
        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte");
    Files.write(tmp.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.images(2, 1, 4, new byte[8]));
    rejects(tmp.toString(), "training images are 2x2 but test images 1x4");
    Files.write(tmp.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.images(1, 2, 2, new byte[4]));
    rejects(tmp.toString(), "t10k-images-idx3-ubyte: 1 images but 2 labels");
    Files.write(tmp.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.images(2, 2, 2, new byte[8]));
    assertEquals(2, DataSource.load(tmp.toString()).numClasses());
    Files.write(tmp.resolve("train-labels-idx1-ubyte"), IdxReaderTest.labels(new byte[] {0, 0}));
    Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), IdxReaderTest.labels(new byte[] {0, 0}));
    rejects(tmp.toString(), "the labels span 1 class(es)");
  }
}
