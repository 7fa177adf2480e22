package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** {@code nnzip --version} reports the pom's version and the commit git reports for this checkout. */
class VersionCliTest {
  /** The version in the parent pom, read as XML (the build wrote the resource from the same value). */
  static String pomVersion() throws Exception {
    File pom = Path.of("..", "pom.xml").toFile();
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom);
    var children = doc.getDocumentElement().getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i).getNodeName().equals("version")) {
        return children.item(i).getTextContent().trim();
      }
    }
    throw new IllegalStateException("no <version> in " + pom);
  }

  /** {@code git rev-parse --short=7 HEAD} here, or {@code unknown} outside a git checkout. */
  static String gitCommit() throws Exception {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
    } catch (java.io.IOException noGit) {
      return "unknown";
    }
  }

  @Test
  void versionFlagAndCommandPrintTheBuildsVersionAndCommit() throws Exception {
    String expected = "nnzip " + pomVersion() + " (commit " + gitCommit() + ")\n";
    for (String arg : new String[] {"--version", "version"}) {
      CliRun r = CliRun.of(arg);
      assertEquals(Main.OK, r.code(), r.err());
      assertEquals(expected, r.out().replace("\r\n", "\n"), arg);
    }
  }

  @Test
  void unknownCommandOffersTheClosestOne() {
    CliRun r = CliRun.of("compres");
    assertEquals(Main.USAGE, r.code());
    assertEquals("nnzip: unknown command 'compres'; did you mean 'compress'? (commands: "
        + String.join(", ", Main.commands().keySet()) + ")", r.err().strip());
    CliRun opt = CliRun.of("inspect", "--in", "x", "--jsno");
    assertEquals(Main.USAGE, opt.code());
    assertEquals("nnzip inspect: error: unknown option --jsno; did you mean '--json'?", opt.errorLine());
  }
}
