package nnzip.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import nnzip.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the IDX format of LeCun's MNIST distribution (also used by Fashion-MNIST): a big-endian
 * magic {@code 0x0000_08_nd} (unsigned bytes, nd dimensions), nd big-endian int32 sizes, then
 * the raw bytes row-major. Gzipped files are recognized by their first two bytes (1f 8b), so
 * {@code .gz} and plain files are read the same way. Every header or size inconsistency,
 * truncation or trailing garbage is an {@link InvalidInputException} naming the file. Memory
 * follows the data, not the header: a plain file's header is checked against the file's length
 * before reading, and data that would not fit the heap is refused first ({@link HeapBudget}).
 */
public final class IdxReader {
  /** Magic of an image file: unsigned bytes, 3 dimensions (count, rows, columns). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic of a label file: unsigned bytes, 1 dimension (count). */
  public static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /**
   * Images of an IDX3 file: {@code pixels} holds count × rows × cols unsigned bytes, row-major.
   *
   * @param count number of images, ≥ 0
   * @param rows pixel rows per image, ≥ 1
   * @param cols pixel columns per image, ≥ 1
   * @param pixels raw uint8 pixels, length count·rows·cols (not copied; treat as read-only)
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    public Images {
      long size = Math.multiplyExact(Math.multiplyExact((long) count, rows), cols);
      if (count < 0 || rows < 1 || cols < 1 || size != pixels.length) {
        throw new IllegalArgumentException(
            "pixels: expected " + count + "x" + rows + "x" + cols + " bytes, got " + pixels.length);
      }
    }

    /** Pixels per image, rows × cols. */
    public int dim() {
      return rows * cols;
    }

    /** The pixels as floats in [0, 1] (value / 255), length count·rows·cols. */
    public float[] normalized() {
      float[] out = new float[pixels.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (pixels[i] & 0xff) / 255f;
      }
      return out;
    }
  }

  /**
   * Reads an image file (magic {@value #IMAGES_MAGIC}) from a Hadoop path.
   *
   * @throws InvalidInputException if the file is missing, not an IDX3 uint8 file, or truncated
   */
  public static Images readImages(Path path, Configuration conf) {
    try (InputStream in = open(path, conf)) {
      return readImages(in, path.toString(), path.getFileSystem(conf).getFileStatus(path).getLen());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Reads an image file (magic {@value #IMAGES_MAGIC}) from the local file system.
   *
   * @throws InvalidInputException if the file is missing, not an IDX3 uint8 file, or truncated
   */
  public static Images readImages(java.nio.file.Path path) {
    try (InputStream in = open(path)) {
      return readImages(in, path.toString(), Files.size(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Reads a label file (magic {@value #LABELS_MAGIC}) from a Hadoop path.
   *
   * @return one value 0..255 per item
   * @throws InvalidInputException if the file is missing, not an IDX1 uint8 file, or truncated
   */
  public static int[] readLabels(Path path, Configuration conf) {
    try (InputStream in = open(path, conf)) {
      return readLabels(in, path.toString(), path.getFileSystem(conf).getFileStatus(path).getLen());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Reads a label file (magic {@value #LABELS_MAGIC}) from the local file system.
   *
   * @return one value 0..255 per item
   * @throws InvalidInputException if the file is missing, not an IDX1 uint8 file, or truncated
   */
  public static int[] readLabels(java.nio.file.Path path) {
    try (InputStream in = open(path)) {
      return readLabels(in, path.toString(), Files.size(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Reads an image file from a stream (gzipped or plain); {@code name} is used in messages only.
   *
   * @throws InvalidInputException if the data is not an IDX3 uint8 file or is truncated
   */
  public static Images readImages(InputStream raw, String name) throws IOException {
    return readImages(raw, name, -1);
  }

  /** {@code length}: the file's length in bytes, or -1 if unknown. */
  private static Images readImages(InputStream raw, String name, long length) throws IOException {
    try {
      InputStream data = maybeGunzip(raw, name);
      DataInputStream in = new DataInputStream(data);
      int[] dims = header(in, name, IMAGES_MAGIC);
      if (dims[1] <= 0 || dims[2] <= 0) {
        throw new InvalidInputException(name + ": image size " + dims[1] + "x" + dims[2] + " is not positive");
      }
      byte[] pixels = body(in, name, dims, data instanceof GzipStream ? -1 : length);
      return new Images(dims[0], dims[1], dims[2], pixels);
    } catch (ZipException e) {
      throw new InvalidInputException(name + ": corrupt gzip data: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a label file from a stream (gzipped or plain); {@code name} is used in messages only.
   *
   * @return one value 0..255 per item
   * @throws InvalidInputException if the data is not an IDX1 uint8 file or is truncated
   */
  public static int[] readLabels(InputStream raw, String name) throws IOException {
    return readLabels(raw, name, -1);
  }

  /** {@code length}: the file's length in bytes, or -1 if unknown. */
  private static int[] readLabels(InputStream raw, String name, long length) throws IOException {
    byte[] bytes;
    try {
      InputStream data = maybeGunzip(raw, name);
      DataInputStream in = new DataInputStream(data);
      bytes = body(in, name, header(in, name, LABELS_MAGIC), data instanceof GzipStream ? -1 : length);
    } catch (ZipException e) {
      throw new InvalidInputException(name + ": corrupt gzip data: " + e.getMessage(), e);
    }
    int[] labels = new int[bytes.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = bytes[i] & 0xff;
    }
    return labels;
  }

  private static InputStream open(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (!fs.exists(path)) {
      throw new InvalidInputException(path + ": no such file");
    }
    return fs.open(path);
  }

  private static InputStream open(java.nio.file.Path path) throws IOException {
    try {
      return Files.newInputStream(path);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(path + ": no such file");
    }
  }

  private static InputStream maybeGunzip(InputStream raw, String name) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new GzipStream(new GZIPInputStream(in, 1 << 16));
      } catch (EOFException e) {
        throw new InvalidInputException(name + ": truncated gzip header", e);
      }
    }
    return in;
  }

  /** A buffered gunzipping stream, told apart from a plain one because its length is unknown. */
  private static final class GzipStream extends BufferedInputStream {
    GzipStream(InputStream gunzip) {
      super(gunzip, 1 << 16);
    }
  }

  private static int readOrEnd(InputStream in, String name) throws IOException {
    try {
      return in.read();
    } catch (EOFException e) {
      // The data is complete but the gzip trailer (CRC, length) is cut off: unverifiable.
      throw new InvalidInputException(name + ": truncated gzip stream (no CRC trailer)", e);
    }
  }

  /** Reads and checks the magic, returns the dimension sizes. */
  private static int[] header(DataInputStream in, String name, int expectedMagic) throws IOException {
    try {
      int magic = in.readInt();
      if (magic != expectedMagic) {
        throw new InvalidInputException(String.format(
            "%s: bad IDX magic 0x%08x, expected 0x%08x", name, magic, expectedMagic));
      }
      int[] dims = new int[magic & 0xff];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = in.readInt();
        if (dims[i] < 0) {
          throw new InvalidInputException(name + ": negative size " + dims[i] + " in dimension " + i);
        }
      }
      return dims;
    } catch (EOFException e) {
      throw new InvalidInputException(name + ": truncated IDX header", e);
    }
  }

  /**
   * Reads exactly the product of {@code dims} bytes and checks that nothing follows. A plain
   * file's {@code length} (-1 if unknown or gzipped) refuses a header that promises more data than
   * the file holds before any allocation; otherwise memory follows the data ({@link HeapBudget}).
   */
  private static byte[] body(DataInputStream in, String name, int[] dims, long length) throws IOException {
    long size = 1;
    for (int d : dims) {
      size = Math.multiplyExact(size, d);
    }
    long held = length < 0 ? -1 : Math.max(0, length - 4L * (dims.length + 1));
    if (held >= 0 && size > held) {
      throw new InvalidInputException(name + ": truncated, header promises " + size + " data bytes but only "
          + held + " follow");
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException(name + ": " + size + " data bytes exceed the 2 GiB array limit");
    }
    byte[] data;
    try {
      data = HeapBudget.read(in, name, size, size); // a lying gzip header costs no memory, a gzip bomb ends
    } catch (EOFException e) {
      data = null; // a gzip stream cut short; the count read so far is unknown
    }
    if (data == null || data.length != size) {
      throw new InvalidInputException(
          name + ": truncated, header promises " + size + " data bytes but "
              + (data == null ? "the gzip stream ends early" : "only " + data.length + " follow"));
    }
    if (readOrEnd(in, name) != -1) {
      throw new InvalidInputException(name + ": trailing bytes after the " + size + " data bytes");
    }
    return data;
  }
}
