package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real {@code chromium} in headless mode (installed by {@code deploy/bin/setup
 * --test-fixtures}), for tests of the HTML reports a user opens: the DOM it builds, and screenshots.
 */
public final class HeadlessChromium {
  /** Where Debian installs it. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  private final Path dir;
  private int profiles;

  /** @param dir a scratch folder for profiles and chromium's error output */
  public HeadlessChromium(Path dir) {
    this.dir = dir;
  }

  /** Whether chromium is installed here. */
  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** The DOM chromium builds for {@code page}, after its scripts ran. */
  public String dom(Path page) throws Exception {
    return run("--dump-dom", page.toUri().toString());
  }

  /** A screenshot of {@code page} in a 1400×900 window. */
  public BufferedImage screenshot(Path page) throws Exception {
    return screenshot(page, 1400, 900);
  }

  /** A screenshot of {@code page} in a window of this size. */
  public BufferedImage screenshot(Path page, int width, int height) throws Exception {
    Path shot = dir.resolve("shot-" + profiles + ".png");
    run("--window-size=" + width + "," + height, "--screenshot=" + shot, page.toUri().toString());
    return javax.imageio.ImageIO.read(shot.toFile());
  }

  /** How many pixels of {@code img} lie within {@code tolerance} of colour {@code rgb} in each channel. */
  public static int pixels(BufferedImage img, int rgb, int tolerance) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int c = img.getRGB(x, y) & 0xffffff;
        boolean near = true;
        for (int shift = 0; shift <= 16; shift += 8) {
          near &= Math.abs(((c >> shift) & 0xff) - ((rgb >> shift) & 0xff)) < tolerance;
        }
        n += near ? 1 : 0;
      }
    }
    return n;
  }

  /** How many times {@code what} occurs in {@code text}, overlaps included. */
  public static int occurrences(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private String run(String... args) throws Exception {
    Path home = dir.resolve("profile" + profiles++);
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--user-data-dir=" + home));
    if (java.util.Arrays.stream(args).noneMatch(a -> a.startsWith("--window-size="))) {
      cmd.add("--window-size=1400,900");
    }
    cmd.addAll(List.of(args));
    Path err = dir.resolve("chromium.err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(err));
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
