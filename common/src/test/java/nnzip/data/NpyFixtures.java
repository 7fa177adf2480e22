package nnzip.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * Test fixtures for the {@code .npy}/{@code .npz} readers, built two independent ways: byte by byte
 * from header strings written here, and with NumPy in a {@code python3} subprocess where NumPy is
 * installed (tests that need it are skipped otherwise; CI's deploy/bin/setup does not install it).
 */
final class NpyFixtures {
  private static Boolean numpy;

  private NpyFixtures() {}

  /** The header dictionary NumPy writes, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2,), }}. */
  static String dict(String descr, boolean fortran, int... shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
        + NpyHeader.format(shape) + ", }";
  }

  /** A version-1.0 C-order file. */
  static byte[] npy(String descr, int[] shape, byte[] data) {
    return npy(1, dict(descr, false, shape), data);
  }

  /** A file of a given major version: the header text is padded with spaces and a newline to 64 bytes. */
  static byte[] npy(int major, String header, byte[] data) {
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int unpadded = 8 + lengthBytes + text.length + 1;
    int length = text.length + 1 + (64 - unpadded % 64) % 64;
    return raw(major, length, pad(text, length), data);
  }

  /** Magic, version, a header length field of any value, then the header and data bytes as given. */
  static byte[] raw(int major, long lengthField, byte[] header, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + (major == 1 ? 2 : 4) + header.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(NpyReader.MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      b.putShort((short) lengthField);
    } else {
      b.putInt((int) lengthField);
    }
    return b.put(header).put(data).array();
  }

  private static byte[] pad(byte[] text, int length) {
    byte[] out = Arrays.copyOf(text, length);
    Arrays.fill(out, text.length, length - 1, (byte) ' ');
    out[length - 1] = '\n';
    return out;
  }

  /** Values encoded as the elements of an integer or float descr ({@code <f2}: raw half bits). */
  static byte[] encode(String descr, double... values) {
    NpyDtype type = NpyDtype.parse(descr, "fixture");
    ByteBuffer b = ByteBuffer.allocate(values.length * type.itemSize()).order(NpyDtype.byteOrder(descr));
    for (double v : values) {
      switch (type) {
        case FLOAT32 -> b.putFloat((float) v);
        case FLOAT64 -> b.putDouble(v);
        default -> {
          long bits = (long) v;
          for (int k = 0; k < type.itemSize(); k++) { // little-endian bytes, reversed for '>'
            int shift = 8 * (b.order() == ByteOrder.LITTLE_ENDIAN ? k : type.itemSize() - 1 - k);
            b.put((byte) (bits >>> shift));
          }
        }
      }
    }
    return b.array();
  }

  /** A zip archive of {@code <key>.npy} entries, all stored or all deflated. */
  static byte[] npz(boolean deflate, Map<String, byte[]> arrays) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> a : arrays.entrySet()) {
        ZipEntry e = new ZipEntry(a.getKey() + ".npy");
        if (!deflate) {
          CRC32 crc = new CRC32();
          crc.update(a.getValue());
          e.setMethod(ZipEntry.STORED);
          e.setSize(a.getValue().length);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(a.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Path write(Path file, byte[] bytes) {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Skips the calling test unless {@code python3 -c 'import numpy'} succeeds. */
  static synchronized void assumeNumpy() {
    if (numpy == null) {
      try {
        Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        numpy = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        numpy = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        numpy = false;
      }
    }
    Assumptions.assumeTrue(numpy, "python3 with numpy is not installed (Debian: python3-numpy)");
  }

  /** Runs a Python script with numpy imported as np, in {@code dir}; fails the test if it fails. */
  static void python(Path dir, String script) {
    assumeNumpy();
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy as np\n" + script)
          .directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), "python3 failed:\n" + output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
