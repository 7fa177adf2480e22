package nnzip.zoo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import nnzip.InvalidInputException;

/**
 * Where a zoo keeps things under its output directory, and the checks that keep every write inside
 * it: {@code <out>/<name>/<name>.nnz.safetensors} per model, {@code _history.jsonl},
 * {@code index.html} and the run lock {@code _zoo.lock}.
 */
record ZooLayout(Path out) {
  static final String SUFFIX = ".nnz.safetensors";

  Path modelDir(String name) {
    return out.resolve(name);
  }

  Path artifact(String name) {
    return modelDir(name).resolve(name + SUFFIX);
  }

  Path dashboard() {
    return out.resolve("index.html");
  }

  Path lock() {
    return out.resolve("_zoo.lock");
  }

  /**
   * Refuses a model whose folder or artifact resolves outside {@code out} (a symbolic link out of
   * it); names themselves are checked by {@link ZooModel}.
   *
   * @throws InvalidInputException naming the link and where it points
   */
  void checkConfined(String name) throws IOException {
    ZooModel.checkName(name);
    Path realOut = out.toRealPath();
    for (Path p : new Path[] {modelDir(name), artifact(name)}) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && Files.isSymbolicLink(p)) {
        Path target = Files.exists(p) ? p.toRealPath()
            : p.getParent().toRealPath().resolve(Files.readSymbolicLink(p)).normalize();
        if (!target.startsWith(realOut) || p.equals(artifact(name))) {
          throw new InvalidInputException(out.relativize(p) + " is a symbolic link to " + target
              + "; a zoo writes only inside " + out);
        }
      }
    }
  }

  /**
   * Deletes the temporary outputs a killed run left in a model's folder ({@code <artifact>.tmp-*}).
   * Only called while this run holds the zoo's lock, so no live run owns them.
   */
  void removeStaleTemps(String name) throws IOException {
    Path dir = modelDir(name);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String prefix = name + SUFFIX + ".tmp-";
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, e -> e.getFileName().toString().startsWith(prefix))) {
      for (Path e : entries) {
        deleteTree(e);
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
        for (Path c : children) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }
}
