package nnzip.cluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * What one {@code spark-submit} run gave back: the exit code of the SparkSubmit JVM and everything
 * it wrote to stdout and stderr (also kept in files under the cluster's log folder).
 *
 * @param exitCode exit status of the SparkSubmit JVM; 0 means the main class returned normally
 * @param stdout everything written to standard output
 * @param stderr everything written to standard error (Spark's own log lines go here)
 * @param elapsed wall time from start to exit
 */
public record SubmitResult(int exitCode, String stdout, String stderr, Duration elapsed) {

  /** True when the submitted main returned normally. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** A short description for assertion messages: exit code, time and the last lines of output. */
  public String describe() {
    return "spark-submit exited with " + exitCode + " after " + elapsed.toMillis() + " ms"
        + "\n--- stdout (tail) ---\n" + tail(stdout, 20)
        + "\n--- stderr (tail) ---\n" + tail(stderr, 40);
  }

  static String tail(String text, int lines) {
    List<String> all = Arrays.asList(text.split("\n", -1));
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
