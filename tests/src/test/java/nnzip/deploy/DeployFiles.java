package nnzip.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the deploy tests share: the repository's paths, the facts every deploy file must agree with
 * (the application jar, its version and main class, the JVM flags) read from the build itself, and
 * running a command with its output captured.
 */
final class DeployFiles {
  static final Path DEPLOY = Path.of(System.getProperty("nnzip.deployDir")).toAbsolutePath().normalize();
  static final Path ROOT = DEPLOY.getParent();
  static final Path APP_JAR = Path.of(System.getProperty("nnzip.appJar")).toAbsolutePath().normalize();
  static final String OPENS = System.getProperty("nnzip.jvmOpens");
  /** Where the image keeps the application jar; the Kubernetes and Airflow configs run this path. */
  static final String IMAGE_JAR = "/opt/nnzip/nnzip.jar";

  private DeployFiles() {}

  record Result(int exit, String out, String err) {}

  /** The project version, from the application jar's name (nnzip-VERSION.jar, written by the build). */
  static String version() {
    Matcher m = Pattern.compile("nnzip-(.+)\\.jar").matcher(APP_JAR.getFileName().toString());
    assertTrue(m.matches(), APP_JAR.toString());
    return m.group(1);
  }

  /** The Main-Class of the built application jar: what spark-submit's --class must name. */
  static String mainClass() throws IOException {
    assertTrue(Files.isRegularFile(APP_JAR), "application jar built by spark-jobs: " + APP_JAR);
    try (JarFile jar = new JarFile(APP_JAR.toFile())) {
      return jar.getManifest().getMainAttributes().getValue("Main-Class");
    }
  }

  /** The Spark version of the build, from the spark-core jar's name on the Spark classpath. */
  static String sparkVersion() throws IOException {
    String cp = Files.readString(Path.of(System.getProperty("nnzip.sparkClasspath")));
    Matcher m = Pattern.compile("spark-core_[0-9.]+-([0-9][^/:]*)\\.jar").matcher(cp);
    assertTrue(m.find(), "spark-core on the Spark classpath");
    return m.group(1);
  }

  /** Runs {@code command} with {@code env} added to this JVM's environment; fails after {@code seconds}. */
  static Result run(List<String> command, Map<String, String> env, Path workDir, int seconds) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().putAll(env);
    Path out = Files.createTempFile("nnzip-deploy", ".out");
    Path err = Files.createTempFile("nnzip-deploy", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    Result r = new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    assertTrue(done, command + " finished within " + seconds + " s; stderr: " + r.err);
    return r;
  }

  /** The executable {@code name} on PATH, or null. */
  static Path onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
