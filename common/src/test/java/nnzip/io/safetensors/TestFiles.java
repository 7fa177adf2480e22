package nnzip.io.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Builds safetensors files for tests, both through the writer and byte by byte. */
final class TestFiles {
  private TestFiles() {}

  /** The local Hadoop file system, as every test reads through Hadoop. */
  static FileSystem localFs() {
    try {
      return FileSystem.getLocal(new Configuration());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path hadoopPath(java.nio.file.Path p) {
    return new Path(p.toUri());
  }

  /** Seeded random bytes, so a failing test fails the same way every time. */
  static byte[] randomBytes(long seed, int n) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** A file written by {@link SafetensorsWriter}: {@code data[i]} holds tensor i's bytes. */
  static byte[] written(List<TensorSpec> specs, Map<String, String> metadata, List<byte[]> data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SafetensorsWriter w = new SafetensorsWriter(out, specs, metadata)) {
      for (int i = 0; i < specs.size(); i++) {
        w.writeTensor(specs.get(i).name(), data.get(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Raw bytes per the public spec: 8-byte little-endian length of {@code json}, json, data. */
  static byte[] raw(String json, byte[] data) {
    return raw(json.getBytes(StandardCharsets.UTF_8).length, json.getBytes(StandardCharsets.UTF_8), data);
  }

  /** Raw bytes with an arbitrary (possibly lying) length field. */
  static byte[] raw(long lengthField, byte[] json, byte[] data) {
    return ByteBuffer.allocate(8 + json.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(lengthField)
        .put(json)
        .put(data)
        .array();
  }

  /** Writes {@code bytes} to {@code file} and returns its Hadoop path. */
  static Path save(java.nio.file.Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return hadoopPath(file);
  }

  /** One tensor entry of a header as JSON text. */
  static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
  }
}
