package nnzip.data;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import nnzip.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads NumPy's {@code .npy} format, versions 1.0, 2.0 and 3.0 (NEP 1): the magic {@code \x93NUMPY},
 * a version, a little-endian header length (2 bytes in 1.0, 4 bytes later), a Python-dict header
 * ({@link NpyHeader}; Latin-1 before 3.0, UTF-8 in 3.0) and the raw elements. Fortran-ordered data
 * is transposed into C order on reading, so an {@link NpyArray} is always row-major; header
 * alignment is not enforced. Reading is strict: a short header, a header length that does not end
 * on the dictionary, data shorter or longer than the shape (trailing bytes) are all {@link
 * InvalidInputException}s naming the file or entry. An array that would not fit the heap is refused
 * before most of its data is read ({@link HeapBudget}).
 */
public final class NpyReader {
  /** The six magic bytes that start every {@code .npy} file. */
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** Longest header accepted; NumPy itself refuses headers over 10,000 bytes by default. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  private NpyReader() {}

  /**
   * Reads an {@code .npy} file from a Hadoop path ({@code file:}, {@code hdfs:}, ...).
   *
   * @throws InvalidInputException if the file is missing, or invalid as described in the class doc
   * @throws UncheckedIOException if the file system fails
   */
  public static NpyArray read(Path path, Configuration conf) {
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      return read(in, path.toString());
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(path + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Reads one array from a stream, which must end right after the array's data; the stream is not
   * closed. {@code name} is used in messages only.
   *
   * @throws InvalidInputException if the bytes are not a valid array of a supported dtype
   * @throws IOException if the stream fails
   */
  public static NpyArray read(InputStream in, String name) throws IOException {
    byte[] head = in.readNBytes(MAGIC.length + 2);
    for (int i = 0; i < Math.min(head.length, MAGIC.length); i++) {
      if (head[i] != MAGIC[i]) {
        throw new InvalidInputException(name + ": not an .npy file (bad magic, expected \\x93NUMPY)");
      }
    }
    if (head.length < MAGIC.length + 2) {
      throw new InvalidInputException(name + ": truncated .npy header (" + head.length + " bytes)");
    }
    int major = head[6] & 0xff;
    int minor = head[7] & 0xff;
    if (major < 1 || major > 3 || minor != 0) {
      throw new InvalidInputException(name + ": unsupported .npy version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0)");
    }
    byte[] lengthField = in.readNBytes(major == 1 ? 2 : 4);
    if (lengthField.length < (major == 1 ? 2 : 4)) {
      throw new InvalidInputException(name + ": truncated .npy header (no header length)");
    }
    long headerLength = 0;
    for (int i = lengthField.length - 1; i >= 0; i--) {
      headerLength = headerLength << 8 | (lengthField[i] & 0xff);
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new InvalidInputException(name + ": .npy header length " + headerLength + " exceeds "
          + MAX_HEADER_BYTES + " bytes");
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    if (headerBytes.length < headerLength) {
      throw new InvalidInputException(name + ": truncated .npy header: its length field says "
          + headerLength + " bytes but only " + headerBytes.length + " follow");
    }
    NpyHeader header;
    try {
      header = NpyHeader.parse(decode(headerBytes, major, name), name);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(e.getMessage() + " (header length field: " + headerLength + " bytes)", e);
    }
    NpyDtype type = NpyDtype.parse(header.descr(), name);
    long bytes = dataBytes(header, type, name);
    byte[] data = HeapBudget.read(in, name, bytes, bytes / type.itemSize()); // a zip bomb ends here
    if (data.length < bytes) {
      throw new InvalidInputException(name + ": truncated: shape " + NpyHeader.format(header.shape()) + " of "
          + header.descr() + " needs " + bytes + " data bytes but only " + data.length + " follow");
    }
    int more = readOrEnd(in, name);
    if (more != -1) {
      throw new InvalidInputException(name + ": trailing bytes after the " + bytes + " data bytes of shape "
          + NpyHeader.format(header.shape()));
    }
    if (header.fortranOrder()) {
      data = toRowMajor(data, header.shape(), type.itemSize());
    }
    return new NpyArray(name, header.descr(), header.shape(), data);
  }

  private static String decode(byte[] header, int major, String name) {
    if (major < 3) {
      return new String(header, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(name + ": .npy 3.0 header is not valid UTF-8", e);
    }
  }

  /** Data size in bytes, checked against the Java array limit. */
  private static long dataBytes(NpyHeader header, NpyDtype type, String name) {
    long elements = 1;
    boolean overflow = false;
    for (int d : header.shape()) {
      try {
        elements = Math.multiplyExact(elements, d);
      } catch (ArithmeticException e) {
        overflow = true; // still 0 if a later dimension is 0
      }
    }
    if (elements != 0 && (overflow || elements > NpyArray.MAX_ELEMENTS)) {
      throw new InvalidInputException(name + ": shape " + NpyHeader.format(header.shape()) + " holds "
          + (overflow ? "more than 2^63" : Long.toString(elements)) + " elements, more than the "
          + NpyArray.MAX_ELEMENTS + " supported");
    }
    long bytes = elements * type.itemSize();
    if (bytes > NpyArray.MAX_ELEMENTS) {
      throw new InvalidInputException(name + ": shape " + NpyHeader.format(header.shape()) + " of "
          + header.descr() + " needs " + bytes + " bytes, more than the " + NpyArray.MAX_ELEMENTS + " supported");
    }
    return bytes;
  }

  private static int readOrEnd(InputStream in, String name) throws IOException {
    try {
      return in.read();
    } catch (EOFException e) {
      throw new InvalidInputException(name + ": compressed stream ends before its trailer", e);
    }
  }

  /**
   * Column-major element bytes to row-major ones.
   *
   * @param data elements in Fortran order, length product(shape) · itemSize
   */
  static byte[] toRowMajor(byte[] data, int[] shape, int itemSize) {
    if (shape.length < 2 || data.length == 0) {
      return data;
    }
    int[] strides = new int[shape.length]; // element strides of the Fortran layout
    int[] index = new int[shape.length];
    strides[0] = 1;
    for (int k = 1; k < shape.length; k++) {
      strides[k] = strides[k - 1] * shape[k - 1];
    }
    byte[] out = new byte[data.length];
    int from = 0;
    for (int to = 0; to < out.length; to += itemSize) {
      System.arraycopy(data, from * itemSize, out, to, itemSize);
      for (int k = shape.length - 1; k >= 0; k--) { // C order: the last index runs fastest
        from += strides[k];
        if (++index[k] < shape[k]) {
          break;
        }
        from -= strides[k] * shape[k];
        index[k] = 0;
      }
    }
    return out;
  }
}
