package nnzip.artifact;

import java.io.IOException;
import java.util.UUID;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output side of a job: everything is written under {@code <out>.tmp-<id>/}, verified, then
 * renamed onto {@code out}. A failed run deletes its temporary directory, so it leaves no output
 * behind and an existing output untouched.
 */
public final class AtomicOutput implements AutoCloseable {
  private final FileSystem fs;
  private final Path target;
  private final Path tempDir;
  private final boolean overwrite;
  private boolean committed;

  private AtomicOutput(FileSystem fs, Path target, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.overwrite = overwrite;
    this.tempDir = new Path(target.getParent(), target.getName() + ".tmp-" + UUID.randomUUID());
  }

  /**
   * Prepares an output.
   *
   * @throws OutputExistsException if {@code target} exists and {@code overwrite} is false
   * @throws InvalidInputException if the parent directory is missing
   */
  public static AtomicOutput create(FileSystem fs, Path target, boolean overwrite) throws IOException {
    checkWritable(fs, target, overwrite);
    AtomicOutput o = new AtomicOutput(fs, target, overwrite);
    fs.mkdirs(o.tempDir);
    return o;
  }

  /** Fails early, before any work, if the output cannot be written. */
  public static void checkWritable(FileSystem fs, Path target, boolean overwrite) throws IOException {
    if (fs.exists(target) && !overwrite) {
      throw new OutputExistsException(target + " already exists (use --overwrite to replace it)");
    }
    if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
      throw new OutputExistsException(target + " is a directory");
    }
    Path parent = target.getParent();
    if (parent != null && !fs.exists(parent)) {
      throw new InvalidInputException("output directory does not exist: " + parent);
    }
  }

  /** The temporary directory for scratch files and executors' parts. */
  public Path tempDir() {
    return tempDir;
  }

  /** Where the file to commit is written before the rename. */
  public Path stagingFile() {
    return new Path(tempDir, target.getName());
  }

  /** Renames the staged file onto the target and removes the temporary directory. */
  public void commit() throws IOException {
    if (!fs.exists(stagingFile())) {
      throw new IOException("nothing to commit: " + stagingFile() + " does not exist; " + target + " left as it was");
    }
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new OutputExistsException(target + " appeared while the job ran; not replaced");
      }
      fs.delete(target, false);
    }
    if (!fs.rename(stagingFile(), target)) {
      throw new IOException("could not rename " + stagingFile() + " to " + target);
    }
    committed = true;
    HadoopFiles.deleteQuietly(fs, tempDir);
  }

  /** Removes the temporary directory; the target is only touched by {@link #commit}. */
  @Override
  public void close() {
    HadoopFiles.deleteQuietly(fs, tempDir);
  }

  public boolean committed() {
    return committed;
  }

  /** The output exists and may not be replaced: a usage error. */
  public static final class OutputExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutputExistsException(String message) {
      super(message);
    }
  }
}
