package nnzip.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.io.safetensors.SafetensorsModel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The SHA-256 a compress of a model would store as its provenance's {@code sourceSha256}: over the
 * source's files in the order the reader reads them (safetensors file or shards; the ONNX file, then
 * its external-data files). Listing the files parses the model's headers, so a missing or corrupt
 * model fails here, on the driver, before any Spark work.
 */
final class SourceDigest {
  private SourceDigest() {}

  /**
   * @param location the model's path (any Hadoop path)
   * @return lower-case hex SHA-256 and the total bytes digested
   * @throws InvalidInputException if the model is missing or unreadable as a model
   */
  static Digested of(String location) throws IOException {
    Path path = HadoopFiles.qualify(location);
    if ("file".equals(path.toUri().getScheme()) && path.getName().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      java.nio.file.Path local = java.nio.file.Path.of(path.toUri());
      if (java.nio.file.Files.isRegularFile(local)) {
        boolean external;
        try (InputStream in = java.nio.file.Files.newInputStream(local)) {
          external = mentions(in, EXTERNAL_DATA_KEY);
        }
        if (!external) {
          // A local ONNX file that is the whole model: read with java.nio alone. Starting Hadoop's
          // file system took 1.1 s, 40% of an all-skipped zoo run of ten models.
          MessageDigest d = Digests.sha256();
          long bytes;
          try (InputStream in = java.nio.file.Files.newInputStream(local)) {
            bytes = update(d, in);
          }
          return new Digested(Digests.hex(d.digest()), bytes);
        }
      }
    }
    FileSystem fs = HadoopFiles.fileSystem(path.toString());
    if (!fs.exists(path)) {
      throw new InvalidInputException("no such file: " + path);
    }
    MessageDigest d = Digests.sha256();
    long bytes = 0;
    for (String f : files(fs, path)) {
      Path p = new Path(f);
      try (InputStream in = p.getFileSystem(fs.getConf()).open(p)) {
        bytes += update(d, in);
      }
    }
    return new Digested(Digests.hex(d.digest()), bytes);
  }

  /** Adds every byte of {@code in} to {@code d}; returns how many. */
  private static long update(MessageDigest d, InputStream in) throws IOException {
    byte[] buf = new byte[1 << 20];
    long bytes = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      d.update(buf, 0, n);
      bytes += n;
    }
    return bytes;
  }

  /** The key every ONNX external-data entry spells (TensorProto.external_data's "location"). */
  private static final byte[] EXTERNAL_DATA_KEY = "location".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Whether the stream's bytes contain {@code needle} anywhere. */
  private static boolean mentions(InputStream in, byte[] needle) throws IOException {
    byte[] buf = new byte[1 << 20];
    int matched = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      for (int i = 0; i < n; i++) {
        // needle has no repeated prefix ("location"), so a mismatch restarts at this byte
        matched = buf[i] == needle[matched] ? matched + 1 : buf[i] == needle[0] ? 1 : 0;
        if (matched == needle.length) {
          return true;
        }
      }
    }
    return false;
  }

  /** SHA-256 and byte count of a model's files. */
  record Digested(String sha256, long bytes) {}

  private static List<String> files(FileSystem fs, Path path) throws IOException {
    if (path.getName().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      boolean external;
      try (InputStream in = fs.open(path)) {
        external = mentions(in, EXTERNAL_DATA_KEY);
      }
      if (!external) {
        // No external data can be named without this key: the file is the whole model. Parsing a
        // 10 MB graph took most of an all-skipped zoo run's 1.8 s per model at load 6.
        return List.of(path.toString());
      }
      OnnxWeights weights = OnnxWeights.read(fs, path);
      LinkedHashSet<String> files = new LinkedHashSet<>();
      files.add(path.toString());
      for (OnnxWeight w : weights.list()) {
        if (w.external() != null) {
          files.add(w.external().file());
        }
      }
      return List.copyOf(files);
    }
    return SafetensorsModel.open(fs, path).files();
  }
}
