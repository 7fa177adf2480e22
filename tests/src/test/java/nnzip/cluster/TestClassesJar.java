package nnzip.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Packs this module's compiled test classes ({@code target/test-classes}) into a jar at test time,
 * so that classes written for a test (probe mains, lambdas) can be shipped to executors with
 * {@code spark.jars} or submitted as an application jar.
 */
public final class TestClassesJar {

  private TestClassesJar() {}

  /**
   * Writes (or rewrites) the jar.
   *
   * @param jarFile where to write it; its folder is created if missing
   * @return {@code jarFile}
   * @throws UncheckedIOException if the classes cannot be read or the jar written
   */
  public static synchronized Path build(Path jarFile) {
    Path classes = classesDir();
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try {
      Files.createDirectories(jarFile.toAbsolutePath().getParent());
      Path partial = Files.createTempFile(jarFile.toAbsolutePath().getParent(), "partial-", ".jar");
      try (OutputStream file = Files.newOutputStream(partial);
           JarOutputStream jar = new JarOutputStream(file, manifest);
           Stream<Path> walk = Files.walk(classes)) {
        List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
        for (Path path : files) {
          jar.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
          Files.copy(path, jar);
          jar.closeEntry();
        }
      }
      return Files.move(partial, jarFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack " + classes + " into " + jarFile, e);
    }
  }

  /** The folder this class was loaded from: the module's compiled test classes. */
  public static Path classesDir() {
    try {
      Path location = Path.of(TestClassesJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isDirectory(location)) {
        throw new IllegalStateException("test classes are not a folder: " + location);
      }
      return location;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
