package nnzip.io;

import java.io.IOException;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A file on any Hadoop file system; a checksum failure there reads as {@link ReadableFile.Corrupt}. */
public final class HadoopFile implements ReadableFile {
  private final FileSystem fs;
  private final Path path;

  public HadoopFile(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
  }

  @Override
  public long length() throws IOException {
    return fs.getFileStatus(path).getLen();
  }

  @Override
  public boolean isDirectory() throws IOException {
    return fs.getFileStatus(path).isDirectory();
  }

  @Override
  public Positioned open() throws IOException {
    FSDataInputStream in = fs.open(path);
    return new Positioned() {
      @Override
      public void readFully(long pos, byte[] buf, int off, int len) throws IOException {
        try {
          in.readFully(pos, buf, off, len);
        } catch (ChecksumException e) {
          throw new Corrupt(e.getMessage(), e);
        }
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
