package nnzip.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import nnzip.InvalidInputException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Keeps the files a model names itself (shard-index entries, ONNX external-data locations) inside
 * the model's own folder once symlinks are followed, so a hostile model cannot make nnzip embed
 * bytes from elsewhere in an artifact (the class of onnx's CVE-2024-27318). Local paths are
 * resolved with {@link java.nio.file.Path#toRealPath}; other file systems with {@link
 * FileSystem#resolvePath}, and any symlink on the way is refused where the file system has them.
 */
public final class ModelFolder {
  private ModelFolder() {}

  /**
   * Checks that {@code file}, symlinks followed, lies strictly under {@code folder}, symlinks
   * followed. Reads no byte of {@code file}; a missing file passes, for the caller to report.
   *
   * @param fs file system holding both
   * @param folder the model's folder
   * @param file a file the model names, already lexically under {@code folder}
   * @param what the entry that named it, e.g. {@code shard 'a.safetensors'}, first in the message
   * @throws InvalidInputException naming {@code what} if the resolved file lies outside the folder
   * @throws IOException if the file system fails
   */
  public static void confine(FileSystem fs, Path folder, Path file, String what) throws IOException {
    Path dir = fs.makeQualified(folder);
    Path target = fs.makeQualified(file);
    if ("file".equals(target.toUri().getScheme())) {
      confine(Paths.get(dir.toUri()), Paths.get(target.toUri()), what);
    } else {
      confineHadoop(fs, dir, target, what);
    }
  }

  /**
   * As {@link #confine(FileSystem, Path, Path, String)}, on the local disk with java.nio alone.
   *
   * @throws InvalidInputException naming {@code what} if the resolved file lies outside the folder
   * @throws IOException if the file system fails
   */
  public static void confine(java.nio.file.Path folder, java.nio.file.Path file, String what) throws IOException {
    java.nio.file.Path real;
    java.nio.file.Path realFolder;
    try {
      realFolder = folder.toRealPath();
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      return; // nothing there to read; the caller reports the missing file
    }
    if (!real.startsWith(realFolder) || real.equals(realFolder)) {
      throw outside(what, real.toString(), realFolder.toString());
    }
  }

  private static void confineHadoop(FileSystem fs, Path folder, Path file, String what) throws IOException {
    Path real;
    Path realFolder;
    try {
      realFolder = fs.resolvePath(folder);
      real = fs.resolvePath(file);
    } catch (FileNotFoundException e) {
      return;
    }
    String dir = realFolder.toUri().getPath();
    String path = real.toUri().getPath();
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    boolean sameFs = java.util.Objects.equals(realFolder.toUri().getAuthority(), real.toUri().getAuthority());
    if (!sameFs || !path.startsWith(prefix) || path.length() == prefix.length()) {
      throw outside(what, real.toString(), realFolder.toString());
    }
    if (fs.supportsSymlinks()) {
      // resolvePath need not follow links on every file system: refuse any link below the folder.
      for (Path p = file; p != null && !p.equals(folder); p = p.getParent()) {
        if (fs.getFileLinkStatus(p).isSymlink()) {
          throw new InvalidInputException(what + " goes through the symlink " + p
              + ", which nnzip does not follow outside a local file system");
        }
      }
    }
  }

  private static InvalidInputException outside(String what, String real, String folder) {
    return new InvalidInputException(what + " resolves to " + real + ", outside the model folder " + folder
        + " (symlinks are followed; a model may only read its own files)");
  }
}
