package nnzip.data;

import static nnzip.data.NpyFixtures.encode;
import static nnzip.data.NpyFixtures.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three kinds of {@code --data} source, checked against each other: an .npz or IDX directory
 * made from the first Fashion-MNIST test images loads exactly as the Debian files do.
 */
class DataSourceTest {
  static final Path DEBIAN = FashionMnist.DEBIAN_DIR;
  static final int N = 100;

  @TempDir Path tmp;

  /** The first {@link #N} test images' raw pixels, length N·784. */
  static byte[] firstTestPixels() {
    return Arrays.copyOf(IdxReader.readImages(DEBIAN.resolve("t10k-images-idx3-ubyte.gz")).pixels(), N * 784);
  }

  static double[] firstTestLabels(int count) {
    return Arrays.stream(FashionMnistCache.test().labels()).limit(count).asDoubleStream().toArray();
  }

  static void assertSameExamples(Dataset expected, Dataset actual) {
    assertEquals(expected.n(), actual.n());
    assertEquals(expected.dim(), actual.dim());
    assertArrayEquals(expected.labels(), actual.labels());
    assertArrayEquals(expected.features(), actual.features()); // exact: same bits
  }

  @Test
  void fashionMnistLoadsTheDebianFilesAsOneChannelImages() {
    Datasets d = DataSource.load("fashion-mnist");
    assertEquals(FashionMnistCache.train(), d.train());
    assertEquals(FashionMnistCache.test(), d.test());
    assertArrayEquals(new int[] {1, 28, 28}, d.exampleShape());
    assertEquals(10, d.numClasses());
    assertEquals("fashion-mnist", d.name());
  }

  @Test
  void npzOfTheFirstHundredTestImagesEqualsTheIdxFiles() {
    Map<String, byte[]> arrays = new LinkedHashMap<>();
    arrays.put("x_train", npy("|u1", new int[] {N, 28, 28}, firstTestPixels()));
    arrays.put("y_train", npy("<i8", new int[] {N}, encode("<i8", firstTestLabels(N))));
    arrays.put("x_test", npy("|u1", new int[] {10, 28, 28}, Arrays.copyOf(firstTestPixels(), 10 * 784)));
    arrays.put("y_test", npy("|u1", new int[] {10, 1}, encode("|u1", firstTestLabels(10))));
    Path file = NpyFixtures.write(tmp.resolve("fm100.npz"), NpyFixtures.npz(true, arrays));
    Datasets d = DataSource.load(file.toString()); // a plain local path
    assertSameExamples(FashionMnistCache.test().head(N), d.train());
    assertSameExamples(FashionMnistCache.test().head(10), d.test());
    assertArrayEquals(new int[] {28, 28}, d.exampleShape());
    assertEquals(10, d.numClasses()); // the first 100 hold every class, 9 included
    assertEquals("file:" + file, d.name());
  }

  @Test
  void npzThatNumpyWroteFromTheIdxFilesEqualsThemToo() {
    NpyFixtures.python(tmp, """
        import gzip
        d = '%s/'
        x = np.frombuffer(gzip.open(d + 't10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16)
        y = np.frombuffer(gzip.open(d + 't10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
        x = x.reshape(-1, 1, 28, 28)[:%d]
        y = y[:%d].astype(np.int64)
        np.savez_compressed('u8.npz', x_train=x, y_train=y, x_test=x[:10], y_test=y[:10].reshape(-1, 1))
        f = x.astype(np.float32) / np.float32(255)
        np.savez('f32.npz', x_train=f, y_train=y.astype(np.int32), x_test=f, y_test=y.astype(np.uint16))
        """.formatted(DEBIAN, N, N));
    Datasets u8 = DataSource.load("file:" + tmp.resolve("u8.npz"));
    assertSameExamples(FashionMnistCache.test().head(N), u8.train());
    assertSameExamples(FashionMnistCache.test().head(10), u8.test());
    assertArrayEquals(new int[] {1, 28, 28}, u8.exampleShape());
    // float32 pixels / 255 in NumPy round exactly as Java's (b & 0xff) / 255f: taken as they are.
    Datasets f32 = DataSource.load(tmp.resolve("f32.npz").toString());
    assertSameExamples(FashionMnistCache.test().head(N), f32.test());
  }

  @Test
  void idxDirectoryOfTheFirstHundredTestImagesEqualsTheDebianFiles() throws IOException {
    byte[] labels = new byte[N];
    for (int i = 0; i < N; i++) {
      labels[i] = (byte) FashionMnistCache.test().labels()[i];
    }
    byte[] images = IdxReaderTest.images(N, 28, 28, firstTestPixels());
    // Plain training files, gzipped test files: both spellings are found.
    Files.write(tmp.resolve("train-images-idx3-ubyte"), images);
    Files.write(tmp.resolve("train-labels-idx1-ubyte"), IdxReaderTest.labels(labels));
    Files.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), IdxReaderTest.gzip(images));
    Files.write(tmp.resolve("t10k-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.labels(labels)));
    Datasets d = DataSource.load(tmp.toString());
    assertSameExamples(FashionMnistCache.test().head(N), d.train());
    assertSameExamples(FashionMnistCache.test().head(N), d.test());
    assertArrayEquals(new int[] {1, 28, 28}, d.exampleShape());
    assertEquals(10, d.numClasses());
    assertEquals(nnzip.io.HadoopFiles.qualify(tmp.toString()).toString(), d.name());
  }

  @Test
  void npzKeepsFloatFeaturesAndTheStoredExampleShape() {
    Map<String, byte[]> arrays = new LinkedHashMap<>();
    arrays.put("x_train", npy(">f8", new int[] {3, 4}, encode(">f8", 0.5, -1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1e-3)));
    arrays.put("y_train", npy("<i2", new int[] {3}, encode("<i2", 0, 2, 4)));
    arrays.put("x_test", npy("<f2", new int[] {1, 4}, encode("<f2", 0x3c00, 0x4000, 0, 0xc000)));
    arrays.put("y_test", npy("<u8", new int[] {1, 1}, encode("<u8", 1)));
    Datasets d = DataSource.load(NpyFixtures.write(tmp.resolve("f.npz"), NpyFixtures.npz(false, arrays)).toString());
    assertArrayEquals(new float[] {0.5f, -1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1e-3f}, d.train().features());
    assertArrayEquals(new float[] {1, 2, 0, -2}, d.test().features());
    assertArrayEquals(new int[] {0, 2, 4}, d.train().labels());
    assertArrayEquals(new int[] {1}, d.test().labels());
    assertArrayEquals(new int[] {4}, d.exampleShape());
    assertEquals(5, d.numClasses());
    assertEquals(5, d.test().numClasses());
  }
}
