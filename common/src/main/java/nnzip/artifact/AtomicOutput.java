package nnzip.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output side of a job: everything is written under {@code <out>.tmp-<id>/}, verified, then
 * renamed onto {@code out}. A failed run deletes its temporary directory, so it leaves no output
 * behind and an existing output untouched; so does a JVM stopped by SIGTERM (a shutdown hook that
 * runs before Hadoop closes its file systems). A run killed outright (SIGKILL) leaves its directory,
 * with an owner file naming its host, pid and JVM start time: the next run for the same output
 * deletes it once that process is proven gone (same host, no such pid or one started at another time).
 */
public final class AtomicOutput implements AutoCloseable {
  private final FileSystem fs;
  private final Path target;
  private final Path tempDir;
  private final boolean overwrite;
  private boolean committed;
  private Runnable onShutdown;

  /** The file in a temporary directory that names the process owning it. */
  static final String OWNER_FILE = "_nnzip-owner";
  /** Runs before Hadoop's own hook closes the file systems (priority 10): a higher priority runs first. */
  private static final int SHUTDOWN_PRIORITY = org.apache.hadoop.fs.FileSystem.SHUTDOWN_HOOK_PRIORITY + 20;

  private AtomicOutput(FileSystem fs, Path target, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.overwrite = overwrite;
    this.tempDir = new Path(target.getParent(), target.getName() + ".tmp-" + UUID.randomUUID());
  }

  /**
   * Deletes the temporary directory from the shutdown hook. The run's own threads are still going
   * while hooks run (a driver thread writing the artifact re-creates the directory as a parent of
   * its next file: seen in a SIGTERM test), so the directory is deleted again until it has stayed
   * gone for a few checks, at most about 3 s.
   */
  private static void removeWhileShuttingDown(FileSystem fs, Path dir) {
    int absent = 0;
    for (int i = 0; i < 30 && absent < 3; i++) {
      try {
        if (fs.exists(dir)) {
          HadoopFiles.deleteQuietly(fs, dir);
          absent = 0;
        } else {
          absent++;
        }
        Thread.sleep(100);
      } catch (IOException e) {
        return; // the file system is going away too; nothing more can be done
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Prepares an output.
   *
   * @throws OutputExistsException if {@code target} exists and {@code overwrite} is false
   * @throws InvalidInputException if the parent directory is missing
   */
  public static AtomicOutput create(FileSystem fs, Path target, boolean overwrite) throws IOException {
    checkWritable(fs, target, overwrite);
    removeStale(fs, target);
    AtomicOutput o = new AtomicOutput(fs, target, overwrite);
    // The hook first: a SIGTERM that comes once the directory (or its owner file) exists must find it.
    o.onShutdown = () -> removeWhileShuttingDown(fs, o.tempDir);
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(o.onShutdown, SHUTDOWN_PRIORITY);
    if (!fs.mkdirs(o.tempDir)) {
      throw new IOException("cannot create the temporary directory " + o.tempDir);
    }
    // Written aside and renamed, so an owner file is always whole (a kill may come at any moment).
    Path owner = new Path(o.tempDir, OWNER_FILE + ".part");
    try (OutputStream out = fs.create(owner, false)) {
      out.write(Owner.self().line().getBytes(StandardCharsets.UTF_8));
    }
    fs.rename(owner, new Path(o.tempDir, OWNER_FILE));
    return o;
  }

  /**
   * Deletes the temporary directories of earlier runs for {@code target} whose owner is proven gone;
   * directories without a readable owner file, or owned by another host or a live process, stay.
   *
   * @return how many were deleted
   */
  static int removeStale(FileSystem fs, Path target) throws IOException {
    Path parent = target.getParent();
    if (parent == null || !fs.exists(parent)) {
      return 0;
    }
    String prefix = target.getName() + ".tmp-";
    int removed = 0;
    for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(parent, p -> p.getName().startsWith(prefix))) {
      Path owner = new Path(st.getPath(), OWNER_FILE);
      if (!st.isDirectory() || !fs.exists(owner)) {
        continue;
      }
      String line;
      try (InputStream in = fs.open(owner)) {
        line = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
      }
      Owner o = Owner.parse(line);
      if (o != null && o.provenGone()) {
        HadoopFiles.deleteQuietly(fs, st.getPath());
        removed++;
      }
    }
    return removed;
  }

  /**
   * The process that owns a temporary directory.
   *
   * @param host the host name as {@link java.net.InetAddress#getLocalHost()} gives it
   * @param pid the process id
   * @param startMillis the JVM's start time in epoch milliseconds (tells a reused pid apart)
   */
  record Owner(String host, long pid, long startMillis) {
    static Owner self() {
      return new Owner(localHost(), ProcessHandle.current().pid(),
          ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L));
    }

    String line() {
      return host + " " + pid + " " + startMillis + "\n";
    }

    /** The owner written by {@link #line}, or null if the text is not one. */
    static Owner parse(String line) {
      String[] f = line.trim().split(" ");
      try {
        return f.length == 3 ? new Owner(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** True only on this host when no process has the pid, or the one that has it started at another time. */
    boolean provenGone() {
      if (!host.equals(localHost()) || startMillis < 0) {
        return false;
      }
      java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        return true;
      }
      // Start times are rounded differently by the OS and the JVM; a second apart is another process.
      return p.get().info().startInstant().map(t -> Math.abs(t.toEpochMilli() - startMillis) > 1000).orElse(false);
    }

    private static String localHost() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "unknown-host";
      }
    }
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
    if (parent != null && !fs.getFileStatus(parent).isDirectory()) {
      throw new InvalidInputException("output directory is not a directory: " + parent);
    }
    if (parent != null) {
      // Fail now, not after pass 1: create and remove a probe where the temporary directory will go.
      Path probe = new Path(parent, target.getName() + ".tmp-probe-" + UUID.randomUUID());
      boolean made;
      try {
        made = fs.mkdirs(probe);
      } catch (org.apache.hadoop.security.AccessControlException | java.nio.file.AccessDeniedException e) {
        made = false;
      }
      if (!made) {
        throw new InvalidInputException("output directory is not writable: " + parent);
      }
      HadoopFiles.deleteQuietly(fs, probe);
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
    close();
  }

  /** Removes the temporary directory; the target is only touched by {@link #commit}. */
  @Override
  public void close() {
    HadoopFiles.deleteQuietly(fs, tempDir);
    if (onShutdown != null) {
      try {
        org.apache.hadoop.util.ShutdownHookManager.get().removeShutdownHook(onShutdown);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run; the directory is gone either way.
      }
      onShutdown = null;
    }
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
