package nnzip.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A stand-in for a Spark distribution, built from the Maven build's Spark jars: what the
 * standalone Worker needs as {@code SPARK_HOME} to launch executors, and the classpath that
 * the Master, Worker and SparkSubmit JVMs run on.
 */
public final class SparkHome {

  private SparkHome() {}

  /**
   * The Spark jars: the file named by system property {@code nnzip.sparkClasspath} (one line of
   * entries separated by {@code File.pathSeparator}, written by spark-jobs' build) if it exists,
   * else the test JVM's class path.
   *
   * @return existing classpath entries, in order
   * @throws IllegalStateException if spark-core is not among them
   */
  public static List<Path> resolveClasspath() {
    String text;
    String file = System.getProperty("nnzip.sparkClasspath");
    try {
      if (file != null && Files.isRegularFile(Path.of(file))) {
        text = Files.readString(Path.of(file));
      } else {
        // Surefire runs tests from a manifest-only jar; the real class path is in this property.
        text = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Path> entries = new ArrayList<>();
    for (String entry : text.trim().split(Pattern.quote(File.pathSeparator))) {
      if (!entry.isBlank() && Files.exists(Path.of(entry.trim()))) {
        entries.add(Path.of(entry.trim()));
      }
    }
    if (entries.stream().noneMatch(p -> p.getFileName().toString().startsWith("spark-core_"))) {
      throw new IllegalStateException("no spark-core jar on the Spark classpath (read from "
          + (file != null && Files.isRegularFile(Path.of(file)) ? file : "the test class path")
          + "; build spark-jobs to write nnzip.sparkClasspath): " + entries);
    }
    return entries;
  }

  /**
   * Writes a Spark home: an empty {@code RELEASE} file (so Spark's launcher looks for jars in
   * {@code jars/}, not in a source tree's {@code assembly/target}) and {@code jars/} holding a
   * symbolic link to every jar of {@code classpath}. Folders on the classpath are skipped.
   *
   * @param home the folder to fill; created if missing
   * @param classpath Spark's jars
   * @return {@code home}
   * @throws IOException if a file or link cannot be created
   */
  public static Path build(Path home, List<Path> classpath) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.write(home.resolve("RELEASE"), new byte[0]);
    Set<String> names = new HashSet<>();
    for (Path entry : classpath) {
      String name = entry.getFileName().toString();
      if (!name.endsWith(".jar") || !Files.isRegularFile(entry)) {
        continue;
      }
      if (!names.add(name)) {
        name = names.size() + "-" + name;
        names.add(name);
      }
      Files.createSymbolicLink(jars.resolve(name), entry.toAbsolutePath());
    }
    return home;
  }
}
