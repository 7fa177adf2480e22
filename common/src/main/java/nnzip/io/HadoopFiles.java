package nnzip.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import nnzip.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small helpers over the Hadoop FileSystem API shared by readers, writers and jobs. */
public final class HadoopFiles {
  private HadoopFiles() {}

  /**
   * The Hadoop configuration nnzip uses: the defaults (core-site.xml if present), with local
   * paths on the raw local file system, so no {@code .crc} side files appear next to a user's
   * models and artifacts (the artifact carries its own SHA-256 digests).
   */
  public static Configuration configuration() {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return conf;
  }

  /** The file system of {@code path} under {@link #configuration()}. */
  public static FileSystem fileSystem(String path) {
    try {
      return new Path(path).getFileSystem(configuration());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open file system of " + path, e);
    }
  }

  /** A Path for a user-given location; plain local paths become absolute file: URIs. */
  public static Path qualify(String location) {
    URI uri = new Path(location).toUri();
    if (uri.getScheme() == null) {
      return new Path(new java.io.File(location).getAbsoluteFile().toURI());
    }
    return new Path(location);
  }

  /**
   * Size of an existing file.
   *
   * @throws InvalidInputException if it does not exist or is a directory
   */
  public static long fileSize(FileSystem fs, Path path) {
    try {
      var status = fs.getFileStatus(path);
      if (status.isDirectory()) {
        throw new InvalidInputException("expected a file but found a directory: " + path);
      }
      return status.getLen();
    } catch (FileNotFoundException e) {
      throw new InvalidInputException("no such file: " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat " + path, e);
    }
  }

  /** Deletes a path recursively, ignoring a missing one. */
  public static void deleteQuietly(FileSystem fs, Path path) {
    try {
      fs.delete(path, true);
    } catch (IOException ignored) {
      // Best effort clean-up of temporary output; the caller is already failing or done.
    }
  }
}
