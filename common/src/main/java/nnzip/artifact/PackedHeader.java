package nnzip.artifact;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import nnzip.InvalidInputException;

/**
 * Manifest and recipe of a format 2 artifact, deflated into one entry: the manifest's JSON (names,
 * shapes, SHA-256 digests) is compressible and was a quarter of a pruned small model's artifact when
 * kept as text in the safetensors header. Layout: deflate(UTF-8(manifest JSON) + '\n' + UTF-8(recipe)).
 * The ONNX graph of a format 2 artifact is deflated the same way, in its own entry.
 */
final class PackedHeader {
  /** Largest inflated size accepted, so a damaged or hostile entry cannot exhaust memory. */
  static final int MAX_INFLATED = 64 << 20;

  /** Manifest JSON and recipe text. */
  record Contents(String manifestJson, String recipe) {}

  private PackedHeader() {}

  static byte[] pack(String manifestJson, String recipe) {
    return deflate((manifestJson + "\n" + recipe).getBytes(StandardCharsets.UTF_8));
  }

  /** Deflate at the best compression. */
  static byte[] deflate(byte[] bytes) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      d.setInput(bytes);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  /**
   * @throws InvalidInputException naming {@code where} if the bytes do not inflate to a manifest
   */
  static Contents unpack(byte[] packed, String where) {
    String text = new String(inflate(packed, where, "packed manifest"), StandardCharsets.UTF_8);
    int nl = text.indexOf('\n');
    if (nl < 0) {
      throw new InvalidInputException(where + ": the packed manifest has no recipe part");
    }
    return new Contents(text.substring(0, nl), text.substring(nl + 1));
  }

  /**
   * The inflated bytes of a deflated entry.
   *
   * @throws InvalidInputException naming {@code where} and {@code what} if they are truncated,
   *     corrupt or inflate past {@link #MAX_INFLATED}
   */
  static byte[] inflate(byte[] packed, String where, String what) {
    Inflater inf = new Inflater();
    try {
      inf.setInput(packed);
      ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 4);
      byte[] buf = new byte[8192];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new InvalidInputException(where + ": the " + what + " is truncated");
        }
        out.write(buf, 0, n);
        if (out.size() > MAX_INFLATED) {
          throw new InvalidInputException(where + ": the " + what + " inflates past " + MAX_INFLATED + " bytes");
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new InvalidInputException(where + ": the " + what + " is corrupt (" + e.getMessage() + ")");
    } finally {
      inf.end();
    }
  }
}
