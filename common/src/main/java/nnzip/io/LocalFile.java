package nnzip.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file on the local disk, read with the JDK alone (the device dialer has no Hadoop; the model zoo's
 * check need not start it).
 */
public final class LocalFile implements ReadableFile {
  private final Path path;
  private final String name;

  /** The file, named by its absolute path. */
  public LocalFile(Path path) {
    this(path, path.toAbsolutePath().toString());
  }

  /** The file, named {@code name} in messages (e.g. its {@code file:} URI, as Hadoop would name it). */
  public LocalFile(Path path, String name) {
    this.path = path.toAbsolutePath();
    this.name = name;
  }

  @Override
  public long length() throws IOException {
    try {
      return Files.size(path);
    } catch (NoSuchFileException e) {
      throw (java.io.FileNotFoundException) new java.io.FileNotFoundException(path.toString()).initCause(e);
    }
  }

  @Override
  public boolean isDirectory() {
    return Files.isDirectory(path);
  }

  @Override
  public Positioned open() throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    return new Positioned() {
      @Override
      public void readFully(long pos, byte[] buf, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, off, len);
        while (b.hasRemaining()) {
          if (ch.read(b, pos + b.position() - off) < 0) {
            throw new EOFException(path + " ends before byte " + (pos + len));
          }
        }
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  @Override
  public String toString() {
    return name;
  }
}
