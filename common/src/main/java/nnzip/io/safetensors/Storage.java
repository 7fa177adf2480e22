package nnzip.io.safetensors;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import nnzip.io.HadoopFile;
import nnzip.io.LocalFile;
import nnzip.io.ModelFolder;
import nnzip.io.ReadableFile;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The file operations that opening a model takes, on a Hadoop file system or on the local disk with
 * java.nio alone: starting Hadoop's file system costs about a second, most of a zoo's all-skipped
 * check. Paths are Hadoop {@link Path} values either way (a value class: nothing starts); on the
 * local disk they are absolute {@code file:} paths, and the names given out are those Hadoop's local
 * file system would give.
 */
interface Storage {
  /**
   * Whether {@code p} is a directory.
   *
   * @throws FileNotFoundException if nothing is there
   */
  boolean isDirectory(Path p) throws IOException;

  boolean exists(Path p) throws IOException;

  /** The regular files directly in {@code dir}, in no particular order. */
  List<Path> files(Path dir) throws IOException;

  /** {@code p} for positioned reads, named as its qualified path in messages. */
  ReadableFile file(Path p);

  /** The fully qualified name of {@code p}, as executors with another default file system find it. */
  String qualified(Path p);

  /** {@link ModelFolder#confine} on this storage. */
  void confine(Path folder, Path file, String what) throws IOException;

  /** Any Hadoop file system. */
  record Hadoop(FileSystem fs) implements Storage {
    @Override
    public boolean isDirectory(Path p) throws IOException {
      return fs.getFileStatus(p).isDirectory();
    }

    @Override
    public boolean exists(Path p) throws IOException {
      return fs.exists(p);
    }

    @Override
    public List<Path> files(Path dir) throws IOException {
      List<Path> out = new ArrayList<>();
      for (FileStatus s : fs.listStatus(dir)) {
        if (s.isFile()) {
          out.add(s.getPath());
        }
      }
      return out;
    }

    @Override
    public ReadableFile file(Path p) {
      return new HadoopFile(fs, p);
    }

    @Override
    public String qualified(Path p) {
      return fs.makeQualified(p).toString();
    }

    @Override
    public void confine(Path folder, Path file, String what) throws IOException {
      ModelFolder.confine(fs, folder, file, what);
    }
  }

  /** The local disk through java.nio; every path is an absolute {@code file:} path. */
  final class Local implements Storage {
    static final Local INSTANCE = new Local();

    private Local() {}

    private static java.nio.file.Path nio(Path p) {
      return java.nio.file.Path.of(p.toUri());
    }

    @Override
    public boolean isDirectory(Path p) throws IOException {
      java.nio.file.Path n = nio(p);
      if (!Files.exists(n)) {
        throw new FileNotFoundException(p.toString());
      }
      return Files.isDirectory(n);
    }

    @Override
    public boolean exists(Path p) {
      return Files.exists(nio(p));
    }

    @Override
    public List<Path> files(Path dir) throws IOException {
      try (Stream<java.nio.file.Path> s = Files.list(nio(dir))) {
        return s.filter(Files::isRegularFile).map(f -> new Path(dir, f.getFileName().toString())).toList();
      }
    }

    @Override
    public ReadableFile file(Path p) {
      return new LocalFile(nio(p), p.toString());
    }

    @Override
    public String qualified(Path p) {
      return p.toString();
    }

    @Override
    public void confine(Path folder, Path file, String what) throws IOException {
      ModelFolder.confine(nio(folder), nio(file), what);
    }
  }
}
