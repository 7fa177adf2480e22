package nnzip.dialer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.artifact.Artifact;
import nnzip.io.LocalFile;
import nnzip.subspace.Dialer;
import nnzip.subspace.Line;

/**
 * {@code nnzip-dial S.nnz.safetensors A M.onnx}: the standard ONNX model at point A of the line in
 * S, for a device. It opens the artifact, checks every byte it reads against its SHA-256, decodes
 * the endpoints and dials exactly as {@code nnzip dial} does ({@link Artifact}, {@link Dialer},
 * {@link Line#dial}: the same classes, so the same bytes), with no Spark, ND4J, Hadoop, protobuf or
 * Jackson on the class path. Exit codes as nnzip's: 0 ok, 2 usage, 3 invalid input, 1 anything else;
 * an error is one line on stderr and leaves no output.
 */
public final class DeviceDialer {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int INVALID_INPUT = 3;

  static final String HELP = """
      usage: nnzip-dial S.nnz.safetensors ALPHA M.onnx [--overwrite]

        S          an artifact of nnzip train --subspace (unstructured, structured or bits)
        ALPHA      the point, in [0, 1]: 1 is the most accurate end, 0 the most compressed
                   (unstructured: 2.5% of each weight matrix kept; structured: width 0.25;
                   bits: 3 bits per weight)
        M.onnx     the standard ONNX model at that point, written atomically; an existing file is
                   replaced only with --overwrite

      The same bytes as nnzip dial --in S --alpha ALPHA --out M.onnx, from a jar with no Spark,
      ND4J or Hadoop. Exit codes: 0 ok, 2 usage, 3 invalid input data, 1 anything else.
      """;

  private DeviceDialer() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one dial; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> positional = new ArrayList<>();
    boolean overwrite = false;
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.print(HELP);
        return OK;
      } else if (a.equals("--overwrite")) {
        overwrite = true;
      } else if (a.startsWith("--")) {
        return fail(err, USAGE, "unknown option " + a + " (try --help)");
      } else {
        positional.add(a);
      }
    }
    if (positional.size() != 3) {
      return fail(err, USAGE, "expected S.nnz.safetensors ALPHA M.onnx, got " + positional.size() + " argument(s)"
          + " (try --help)");
    }
    double alpha;
    try {
      alpha = Double.parseDouble(positional.get(1));
    } catch (NumberFormatException e) {
      return fail(err, USAGE, "ALPHA expects a number in [0, 1], got '" + positional.get(1) + "'");
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      return fail(err, USAGE, "ALPHA must be in [0, 1], got " + positional.get(1));
    }
    Path in = Path.of(positional.get(0)).toAbsolutePath();
    Path target = Path.of(positional.get(2)).toAbsolutePath();
    try {
      if (Files.isDirectory(target)) {
        return fail(err, USAGE, target + " is a directory");
      }
      if (target.getParent() != null && !Files.isDirectory(target.getParent())) {
        return fail(err, USAGE, "no such directory: " + target.getParent());
      }
      if (Files.exists(target) && !overwrite) {
        return fail(err, USAGE, target + " exists (add --overwrite to replace it)");
      }
      if (!Files.isRegularFile(in)) {
        throw new InvalidInputException("no such file: " + in);
      }
      Line line = Dialer.open(Artifact.open(new LocalFile(in)));
      byte[] model = line.dial(alpha);
      write(target, model, overwrite);
      err.printf("nnzip-dial: wrote %s: %s line at alpha %s (%d bytes)%n", target, line.descriptor().kind().label(),
          positional.get(1), model.length);
      return OK;
    } catch (InvalidInputException e) {
      return fail(err, INVALID_INPUT, e.getMessage());
    } catch (OutOfMemoryError e) {
      return fail(err, USAGE, "out of memory (raise the heap, e.g. java -Xmx256m)");
    } catch (IOException | RuntimeException e) {
      return fail(err, FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Writes next to the target, then renames, so a failed run leaves nothing behind. */
  private static void write(Path target, byte[] model, boolean overwrite) throws IOException {
    // A new name with the file mode the umask gives (createTempFile would make it owner-only).
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
        + System.nanoTime() + ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        os.write(model);
      }
      if (overwrite) {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static int fail(PrintStream err, int code, String message) {
    String one = String.valueOf(message).replaceAll("\\s*\\R\\s*", " ");
    err.println("nnzip-dial: error: " + one);
    return code;
  }

}
