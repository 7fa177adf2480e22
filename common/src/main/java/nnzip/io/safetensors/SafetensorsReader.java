package nnzip.io.safetensors;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import nnzip.io.HadoopFile;
import nnzip.io.StoredTensor;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads safetensors files from any Hadoop file system without loading them whole: {@link
 * #readHeader} fetches the length field and the JSON header only, and the range methods fetch
 * tensor bytes with positioned reads in chunks of {@link #CHUNK_BYTES}, so memory stays bounded
 * whatever the model size.
 */
public final class SafetensorsReader {
  /** Bytes fetched per positioned read when streaming a range. */
  public static final int CHUNK_BYTES = SafetensorsFile.CHUNK_BYTES;

  private SafetensorsReader() {}

  /**
   * Reads and validates the header of a safetensors file, reading only its first {@code 8 + N} bytes.
   *
   * @throws nnzip.InvalidInputException if the file is missing, is a directory, or its header is
   *     malformed or inconsistent with its size
   * @throws IOException if the file system fails
   */
  public static SafetensorsHeader readHeader(FileSystem fs, Path file) throws IOException {
    return readHeader(fs, file, SafetensorsHeader.MAX_HEADER_BYTES);
  }

  /**
   * As {@link #readHeader(FileSystem, Path)}, with a header size cap other than {@link
   * SafetensorsHeader#MAX_HEADER_BYTES}.
   *
   * @param maxHeaderBytes largest header accepted, in bytes, ≥ 2
   * @throws nnzip.InvalidInputException as above, also if the header exceeds {@code maxHeaderBytes}
   * @throws IOException if the file system fails
   */
  public static SafetensorsHeader readHeader(FileSystem fs, Path file, long maxHeaderBytes) throws IOException {
    return SafetensorsFile.readHeader(new HadoopFile(fs, file), maxHeaderBytes);
  }

  /**
   * The tensors of one file with absolute offsets, in offset order. The file string of each result
   * is the fully qualified path, so that an executor with another default file system finds it.
   *
   * @throws nnzip.InvalidInputException as {@link #readHeader(FileSystem, Path)}
   * @throws IOException if the file system fails
   */
  public static List<StoredTensor> tensors(FileSystem fs, Path file) throws IOException {
    return readHeader(fs, file).tensors(fs.makeQualified(file).toString());
  }

  /**
   * Copies {@code length} bytes starting at absolute {@code offset} of {@code file} to {@code out},
   * in chunks of at most {@link #CHUNK_BYTES}. {@code out} is neither flushed nor closed.
   *
   * @throws IllegalArgumentException if offset or length is negative
   * @throws nnzip.InvalidInputException if the file is missing or shorter than offset + length
   * @throws IOException if the file system or {@code out} fails
   */
  public static void copyRange(FileSystem fs, Path file, long offset, long length, OutputStream out) throws IOException {
    checkRange(fs, file, offset, length);
    byte[] buf = new byte[(int) Math.min(CHUNK_BYTES, length)];
    try (FSDataInputStream in = fs.open(file)) {
      for (long done = 0; done < length; ) {
        int n = (int) Math.min(buf.length, length - done);
        readFully(in, file, offset + done, buf, 0, n);
        out.write(buf, 0, n);
        done += n;
      }
    }
  }

  /**
   * Reads {@code length} bytes starting at absolute {@code offset} of {@code file} into a new heap
   * buffer (position 0, limit {@code length}, little-endian order).
   *
   * @throws IllegalArgumentException if offset or length is negative
   * @throws nnzip.InvalidInputException if the file is missing or shorter than offset + length
   * @throws IOException if the file system fails
   */
  public static ByteBuffer readRange(FileSystem fs, Path file, long offset, int length) throws IOException {
    return SafetensorsFile.readRange(new HadoopFile(fs, file), offset, length);
  }

  /**
   * Reads all bytes of one tensor ({@code tensor.spec().byteSize()} of them) into a new
   * little-endian heap buffer.
   *
   * @param fs the file system of {@code tensor.file()}
   * @throws IllegalArgumentException if the tensor has 2^31 − 1 bytes or more (stream it with
   *     {@link #copyTensor} instead)
   * @throws nnzip.InvalidInputException if the file is missing or too short
   * @throws IOException if the file system fails
   */
  public static ByteBuffer readTensor(FileSystem fs, StoredTensor tensor) throws IOException {
    long size = tensor.spec().byteSize();
    if (size >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException(tensor.spec() + " has " + size + " bytes, too many for one buffer");
    }
    return readRange(fs, new Path(tensor.file()), tensor.offset(), (int) size);
  }

  /**
   * Streams all bytes of one tensor to {@code out}, which is neither flushed nor closed.
   *
   * @param fs the file system of {@code tensor.file()}
   * @throws nnzip.InvalidInputException if the file is missing or too short
   * @throws IOException if the file system or {@code out} fails
   */
  public static void copyTensor(FileSystem fs, StoredTensor tensor, OutputStream out) throws IOException {
    copyRange(fs, new Path(tensor.file()), tensor.offset(), tensor.spec().byteSize(), out);
  }

  /**
   * Size of a regular file.
   *
   * @throws nnzip.InvalidInputException "no such file: path" if it does not exist, or if it is a
   *     directory
   */
  static long fileSize(FileSystem fs, Path file) throws IOException {
    return SafetensorsFile.size(new HadoopFile(fs, file));
  }

  private static void checkRange(FileSystem fs, Path file, long offset, long length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
    }
    long size = fileSize(fs, file);
    if (offset > size || length > size - offset) {
      throw Errors.invalid(file, "range of " + length + " bytes at offset " + offset + " runs past the end of the file ("
          + size + " bytes)");
    }
  }

  /** A positioned read of exactly {@code n} bytes; a short file (shrunk since its size was read) is input at fault. */
  private static void readFully(FSDataInputStream in, Path file, long pos, byte[] buf, int off, int n) throws IOException {
    try {
      in.readFully(pos, buf, off, n);
    } catch (EOFException e) {
      throw Errors.invalid(file, "file ended before byte " + (pos + n) + " (truncated while reading?)", e);
    } catch (org.apache.hadoop.fs.ChecksumException e) {
      throw Errors.invalid(file, "corrupt bytes in [" + pos + ", " + (pos + n) + "): " + e.getMessage(), e);
    }
  }
}
