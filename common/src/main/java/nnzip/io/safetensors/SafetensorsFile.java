package nnzip.io.safetensors;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import nnzip.io.ReadableFile;
import nnzip.io.StoredTensor;

/**
 * Safetensors reads over any {@link ReadableFile}: the header, and byte ranges. {@link
 * SafetensorsReader} gives them Hadoop paths; the device dialer a local file. Only the first
 * {@code 8 + N} bytes are read for the header.
 */
public final class SafetensorsFile {
  /** Bytes fetched per positioned read when streaming a range. */
  public static final int CHUNK_BYTES = 1 << 20;

  private SafetensorsFile() {}

  /**
   * Reads and validates the header.
   *
   * @param maxHeaderBytes largest header accepted, in bytes, ≥ 2
   * @throws nnzip.InvalidInputException if the file is missing, is a directory, or its header is
   *     malformed, larger than {@code maxHeaderBytes}, or inconsistent with its size
   * @throws IOException if the file system fails
   */
  public static SafetensorsHeader readHeader(ReadableFile file, long maxHeaderBytes) throws IOException {
    long size = size(file);
    if (size < 8) {
      throw Errors.invalid(file, "file has " + size + " bytes, fewer than the 8 of the header length field");
    }
    try (ReadableFile.Positioned in = file.open()) {
      byte[] field = new byte[8];
      readFully(in, file, 0, field, 0, 8);
      long raw = ByteBuffer.wrap(field).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] json = new byte[HeaderParser.checkLength(file, size, raw, maxHeaderBytes)];
      readFully(in, file, 8, json, 0, json.length);
      return SafetensorsHeader.parse(file, size, json);
    }
  }

  /**
   * Reads {@code length} bytes starting at absolute {@code offset} into a new heap buffer
   * (position 0, limit {@code length}, little-endian order).
   *
   * @throws IllegalArgumentException if offset or length is negative
   * @throws nnzip.InvalidInputException if the file is missing or shorter than offset + length
   * @throws IOException if the file system fails
   */
  public static ByteBuffer readRange(ReadableFile file, long offset, int length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
    }
    long size = size(file);
    if (offset > size || length > size - offset) {
      throw Errors.invalid(file, "range of " + length + " bytes at offset " + offset + " runs past the end of the file ("
          + size + " bytes)");
    }
    byte[] bytes = new byte[length];
    try (ReadableFile.Positioned in = file.open()) {
      for (int done = 0; done < length; ) {
        int n = Math.min(CHUNK_BYTES, length - done);
        readFully(in, file, offset + done, bytes, done, n);
        done += n;
      }
    }
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Reads all bytes of one tensor of {@code file} into a new little-endian heap buffer.
   *
   * @throws IllegalArgumentException if the tensor has 2^31 − 1 bytes or more
   */
  public static ByteBuffer readTensor(ReadableFile file, StoredTensor tensor) throws IOException {
    long size = tensor.spec().byteSize();
    if (size >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException(tensor.spec() + " has " + size + " bytes, too many for one buffer");
    }
    return readRange(file, tensor.offset(), (int) size);
  }

  /**
   * Size of a regular file.
   *
   * @throws nnzip.InvalidInputException "no such file: path" if it does not exist, or if it is a
   *     directory
   */
  static long size(ReadableFile file) throws IOException {
    long length;
    try {
      if (file.isDirectory()) {
        throw Errors.invalid(file, "is a directory, not a safetensors file");
      }
      length = file.length();
    } catch (FileNotFoundException e) {
      throw new nnzip.InvalidInputException(Errors.oneLine("no such file: " + file), e);
    }
    return length;
  }

  /** A positioned read of exactly {@code n} bytes; a short file (shrunk since its size was read) is input at fault. */
  private static void readFully(ReadableFile.Positioned in, Object file, long pos, byte[] buf, int off, int n)
      throws IOException {
    try {
      in.readFully(pos, buf, off, n);
    } catch (EOFException e) {
      throw Errors.invalid(file, "file ended before byte " + (pos + n) + " (truncated while reading?)", e);
    } catch (ReadableFile.Corrupt e) {
      throw Errors.invalid(file, "corrupt bytes in [" + pos + ", " + (pos + n) + "): " + e.getMessage(), e);
    }
  }
}
