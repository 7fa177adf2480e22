package nnzip;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The nnzip version and the git commit it was built from, read from {@code nnzip/version.properties}
 * (written by the build). A build outside a git checkout says {@code unknown} for the commit.
 */
public final class Version {
  private static final Properties PROPS = load();

  private Version() {}

  /** The release version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return PROPS.getProperty("version", "unknown");
  }

  /** The git commit the build was made from, or {@code unknown}. */
  public static String commit() {
    return PROPS.getProperty("commit", "unknown");
  }

  /** One line for {@code --version}: {@code nnzip 0.1.0-SNAPSHOT (commit abc1234)}. */
  public static String line() {
    return "nnzip " + version() + " (commit " + commit() + ")";
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/nnzip/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // An unreadable resource leaves the version unknown; it never stops a run.
    }
    return p;
  }
}
