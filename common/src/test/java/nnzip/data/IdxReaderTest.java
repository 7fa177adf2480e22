package nnzip.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  private static final Path DIR = FashionMnist.DEBIAN_DIR;

  @TempDir Path tmp;

  @Test
  void readsTheDebianTrainingFilesAsSixtyThousandImagesOf28By28() {
    IdxReader.Images images = IdxReader.readImages(DIR.resolve("train-images-idx3-ubyte.gz"));
    int[] labels = IdxReader.readLabels(DIR.resolve("train-labels-idx1-ubyte.gz"));
    assertEquals(60000, images.count());
    assertEquals(28, images.rows());
    assertEquals(28, images.cols());
    assertEquals(60000 * 28 * 28, images.pixels().length);
    assertEquals(60000, labels.length);
    int[] histogram = new int[256];
    for (int label : labels) {
      histogram[label]++;
    }
    // Fashion-MNIST is balanced: exactly 6,000 training images per class, labels 0..9 only.
    int[] expected = new int[256];
    Arrays.fill(expected, 0, 10, 6000);
    assertArrayEquals(expected, histogram);
  }

  @Test
  void readsTheDebianTestFilesThroughAHadoopPath() {
    Configuration conf = new Configuration(false);
    IdxReader.Images images = IdxReader.readImages(
        new org.apache.hadoop.fs.Path(DIR.resolve("t10k-images-idx3-ubyte.gz").toUri()), conf);
    int[] labels = IdxReader.readLabels(
        new org.apache.hadoop.fs.Path(DIR.resolve("t10k-labels-idx1-ubyte.gz").toUri()), conf);
    assertEquals(10000, images.count());
    assertEquals(784, images.dim());
    assertEquals(10000, labels.length);
    assertTrue(Arrays.stream(labels).allMatch(l -> l >= 0 && l <= 9));
  }

  @Test
  void readsPlainAndGzippedFilesAlike() throws IOException {
    byte[] idx = images(3, 2, 2, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
    Path plain = write("plain-idx3", idx);
    Path gz = write("gz-idx3.gz", gzip(idx));
    IdxReader.Images a = IdxReader.readImages(plain);
    IdxReader.Images b = IdxReader.readImages(gz);
    assertEquals(3, a.count());
    assertArrayEquals(a.pixels(), b.pixels());
    assertEquals(1f, a.normalized()[11]);
    assertEquals(4 / 255f, a.normalized()[4]);
  }

  @Test
  void rejectsABadMagicNamingTheFile() throws IOException {
    byte[] idx = images(1, 1, 1, new byte[] {7});
    idx[2] = 0x09; // signed bytes instead of unsigned
    Path p = write("bad-magic", idx);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxReader.readImages(p));
    assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void rejectsALabelFileReadAsImages() throws IOException {
    Path p = write("labels", labels(new byte[] {1, 2, 3}));
    assertThrows(InvalidInputException.class, () -> IdxReader.readImages(p));
    assertArrayEquals(new int[] {1, 2, 3}, IdxReader.readLabels(p));
  }

  @Test
  void rejectsTruncatedPixelDataPlainOrGzipped() throws IOException {
    byte[] idx = images(2, 2, 2, new byte[8]);
    byte[] cut = Arrays.copyOf(idx, idx.length - 3);
    Path plain = write("cut", cut);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxReader.readImages(plain));
    assertTrue(e.getMessage().contains(plain.toString()) && e.getMessage().contains("truncated"), e.getMessage());

    byte[] gz = gzip(idx);
    Path gzCut = write("cut.gz", Arrays.copyOf(gz, gz.length - 12));
    e = assertThrows(InvalidInputException.class, () -> IdxReader.readImages(gzCut));
    assertTrue(e.getMessage().contains(gzCut.toString()), e.getMessage());
  }

  @Test
  void aHeaderPromisingGigabytesInASixteenByteFileIsTruncatedNotAllocated() throws IOException {
    // 3 x 26,000 x 27,000 pixels = 2.1 GB promised by a 16-byte file, through both entry points.
    byte[] header = Arrays.copyOf(images(3, 26_000, 27_000, new byte[0]), 16);
    Path p = write("liar", header);
    long before = usedHeap();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxReader.readImages(p));
    assertTrue(e.getMessage().contains("promises 2106000000 data bytes but only 0 follow"), e.getMessage());
    e = assertThrows(InvalidInputException.class,
        () -> IdxReader.readImages(HadoopFiles.qualify(p.toString()), HadoopFiles.configuration()));
    assertTrue(e.getMessage().contains("only 0 follow"), e.getMessage());
    // The same header on a stream of unknown length: read as far as the data goes.
    e = assertThrows(InvalidInputException.class,
        () -> IdxReader.readImages(new java.io.ByteArrayInputStream(header), "stream"));
    assertTrue(e.getMessage().contains("only 0 follow"), e.getMessage());
    assertTrue(usedHeap() - before < 256L << 20, "heap grew by " + (usedHeap() - before));
  }

  @Test
  void aGzipBombIsRefusedAfterItsFirstMegabytes() throws IOException {
    long max = Runtime.getRuntime().maxMemory();
    org.junit.jupiter.api.Assumptions.assumeTrue(max < 12L << 30, "a heap under 12 GiB");
    int rows = (int) (max / 6 / 28 / 28 + 1); // reading and converting takes 6 bytes of heap per pixel
    // Zeros beyond the probe read before the check; the rest of the promise is never inflated.
    byte[] start = Arrays.copyOf(images(rows, 28, 28, new byte[0]), 16 + (17 << 20));
    Path p = write("bomb.gz", gzip(start));
    var e = assertThrows(nnzip.ResourceLimitException.class, () -> IdxReader.readImages(p));
    assertTrue(e.getMessage().startsWith(p + ": its header promises") && e.getMessage().contains("--driver-memory"),
        e.getMessage());
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void rejectsATruncatedHeader() throws IOException {
    Path p = write("short-header", Arrays.copyOf(images(1, 1, 1, new byte[1]), 9));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxReader.readImages(p));
    assertTrue(e.getMessage().contains("header"), e.getMessage());
  }

  @Test
  void rejectsTrailingBytesAfterTheData() throws IOException {
    byte[] idx = images(1, 1, 2, new byte[] {1, 2});
    Path p = write("trailing", Arrays.copyOf(idx, idx.length + 1));
    assertThrows(InvalidInputException.class, () -> IdxReader.readImages(p));
  }

  @Test
  void rejectsAMissingFile() {
    Path p = tmp.resolve("absent.gz");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxReader.readLabels(p));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  static byte[] images(int n, int rows, int cols, byte[] pixels) {
    ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(n).putInt(rows).putInt(cols).put(pixels);
    return b.array();
  }

  static byte[] labels(byte[] values) {
    ByteBuffer b = ByteBuffer.allocate(8 + values.length);
    b.putInt(IdxReader.LABELS_MAGIC).putInt(values.length).put(values);
    return b.array();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
