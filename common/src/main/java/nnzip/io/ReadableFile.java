package nnzip.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * A file read by absolute position: all that opening, verifying and decoding an artifact asks of
 * a file system. {@link HadoopFile} reads any Hadoop path; {@link LocalFile} reads the local disk
 * with the JDK alone, for the device dialer. {@link #toString} is the name errors give.
 */
public interface ReadableFile {
  /**
   * Size in bytes.
   *
   * @throws java.io.FileNotFoundException if there is no such file
   * @throws IOException if the file system fails
   */
  long length() throws IOException;

  /** True when the name is a directory. */
  boolean isDirectory() throws IOException;

  /** Opens the file for positioned reads. */
  Positioned open() throws IOException;

  /** An open file. */
  interface Positioned extends Closeable {
    /**
     * Reads exactly {@code len} bytes at {@code pos} into {@code buf[off..]}.
     *
     * @throws java.io.EOFException if the file ends first
     * @throws Corrupt if the file system's own checksums find the bytes damaged
     */
    void readFully(long pos, byte[] buf, int off, int len) throws IOException;
  }

  /** The file system found stored bytes damaged (e.g. an HDFS checksum mismatch). */
  final class Corrupt extends IOException {
    private static final long serialVersionUID = 1L;

    public Corrupt(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
