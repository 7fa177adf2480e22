package nnzip.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.io.safetensors.SafetensorsModel;
import nnzip.job.KnownDigest;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The SHA-256 a compress of a model would store as its provenance's {@code sourceSha256}: over the
 * source's files in the order the reader reads them (safetensors file or shards; the ONNX file, then
 * its external-data files), each file read once. Listing the files parses the model's headers, so a
 * missing or corrupt model fails here, on the driver, before any Spark work. A local source ({@code
 * file:} or a plain path) is read with java.nio alone: starting Hadoop's file system took 1.1 s, 40%
 * of an all-skipped zoo check; only an ONNX graph with external data starts it, to list its files.
 */
final class SourceDigest {
  private SourceDigest() {}

  /**
   * @param location the model's path (any Hadoop path)
   * @return lower-case hex SHA-256 and the total bytes digested
   * @throws InvalidInputException if the model is missing or unreadable as a model
   */
  static KnownDigest of(String location) throws IOException {
    Path path = HadoopFiles.qualify(location);
    return "file".equals(path.toUri().getScheme()) ? local(path) : viaHadoop(path);
  }

  /** As {@link #of}, reading through Hadoop's file system whatever the path (tests compare the two ways). */
  static KnownDigest viaHadoop(Path path) throws IOException {
    FileSystem fs = HadoopFiles.fileSystem(path.toString());
    if (!fs.exists(path)) {
      throw new InvalidInputException("no such file: " + path);
    }
    Opener open = p -> p.getFileSystem(fs.getConf()).open(p);
    if (isOnnx(path)) {
      return onnx(path, open, fs);
    }
    return digest(SafetensorsModel.open(fs, path).files(), open);
  }

  private static KnownDigest local(Path path) throws IOException {
    java.nio.file.Path file = java.nio.file.Path.of(path.toUri());
    if (!java.nio.file.Files.exists(file)) {
      throw new InvalidInputException("no such file: " + path);
    }
    Opener open = p -> java.nio.file.Files.newInputStream(java.nio.file.Path.of(p.toUri()));
    if (isOnnx(path)) {
      return onnx(path, open, null);
    }
    return digest(SafetensorsModel.open(file).files(), open);
  }

  private static boolean isOnnx(Path path) {
    return path.getName().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  /** Opens a file of the source for reading from its start. */
  private interface Opener {
    InputStream open(Path p) throws IOException;
  }

  /**
   * The ONNX file digested and searched for the external-data key in the same pass; when the key is
   * there, the external files follow in the order of the graph's weights.
   *
   * @param fs the file system to parse the graph with, or null to start Hadoop's only if needed
   */
  private static KnownDigest onnx(Path path, Opener open, FileSystem fs) throws IOException {
    MessageDigest d = Digests.sha256();
    KeyScan scan = new KeyScan(EXTERNAL_DATA_KEY);
    long bytes;
    try (InputStream in = open.open(path)) {
      bytes = update(d, in, scan);
    }
    if (!scan.found()) {
      // No external data can be named without this key: the file is the whole model. Parsing a
      // 10 MB graph took most of an all-skipped zoo run's 1.8 s per model at load 6.
      return new KnownDigest(Digests.hex(d.digest()), bytes);
    }
    FileSystem graphFs = fs != null ? fs : HadoopFiles.fileSystem(path.toString());
    Set<String> files = new LinkedHashSet<>();
    files.add(path.toString());
    for (OnnxWeight w : OnnxWeights.read(graphFs, path).list()) {
      if (w.external() != null && files.add(w.external().file())) {
        try (InputStream in = open.open(new Path(w.external().file()))) {
          bytes += update(d, in, null);
        }
      }
    }
    return new KnownDigest(Digests.hex(d.digest()), bytes);
  }

  private static KnownDigest digest(List<String> files, Opener open) throws IOException {
    MessageDigest d = Digests.sha256();
    long bytes = 0;
    for (String f : files) {
      try (InputStream in = open.open(new Path(f))) {
        bytes += update(d, in, null);
      }
    }
    return new KnownDigest(Digests.hex(d.digest()), bytes);
  }

  /** Adds every byte of {@code in} to {@code d}, and to {@code scan} when not null; returns how many. */
  private static long update(MessageDigest d, InputStream in, KeyScan scan) throws IOException {
    byte[] buf = new byte[1 << 20];
    long bytes = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      d.update(buf, 0, n);
      if (scan != null) {
        scan.add(buf, n);
      }
      bytes += n;
    }
    return bytes;
  }

  /** The key every ONNX external-data entry spells (TensorProto.external_data's "location"). */
  private static final byte[] EXTERNAL_DATA_KEY = "location".getBytes(StandardCharsets.US_ASCII);

  /** Whether a byte stream, given in pieces, contains a needle that has no repeated prefix. */
  private static final class KeyScan {
    private final byte[] needle;
    private int matched;
    private boolean found;

    KeyScan(byte[] needle) {
      this.needle = needle;
    }

    void add(byte[] buf, int n) {
      for (int i = 0; i < n && !found; i++) {
        // needle has no repeated prefix ("location"), so a mismatch restarts at this byte
        matched = buf[i] == needle[matched] ? matched + 1 : buf[i] == needle[0] ? 1 : 0;
        found = matched == needle.length;
      }
    }

    boolean found() {
      return found;
    }
  }
}
