package nnzip.io.onnx;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.ModelFolder;
import nnzip.io.StoredTensor;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Locates and reads tensor data kept outside the model ({@code data_location = EXTERNAL}): the
 * {@code external_data} entries {@code location} (a path relative to the model's directory),
 * {@code offset} (default 0) and {@code length} (optional; must equal the tensor's byte size). Other
 * entries such as {@code checksum} are ignored. A location may not be absolute, name a URI scheme,
 * or climb out of the model's directory, lexically or through a symlink ({@link ModelFolder#confine});
 * backslashes count as separators.
 */
final class ExternalData {
  private ExternalData() {}

  /**
   * Resolves and checks the external range of one tensor.
   *
   * @param fs file system holding the model
   * @param modelDir directory of the model file, or null when none is known
   * @param t the tensor
   * @param spec its key, element type and shape
   * @param fileLengths cache of the lengths of files seen so far, updated here
   * @return the qualified file and absolute offset of the first byte
   * @throws InvalidInputException naming the tensor if the entries are malformed, the location
   *     escapes the model directory (symlinks followed), the file is missing, or the range ends past the file's end
   * @throws IOException if the file system fails
   */
  static StoredTensor locate(FileSystem fs, Path modelDir, OnnxProto.Tensor t, TensorSpec spec,
      Map<Path, Long> fileLengths) throws IOException {
    String key = spec.name();
    String location = null;
    long offset = 0;
    long length = -1;
    for (OnnxProto.Entry e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parseCount(e.getValue(), "offset", key);
        case "length" -> length = parseCount(e.getValue(), "length", key);
        default -> { }
      }
    }
    if (location == null || location.isEmpty()) {
      throw new InvalidInputException("tensor '" + key + "': external data without a location");
    }
    if (length >= 0 && length != spec.byteSize()) {
      throw new InvalidInputException("tensor '" + key + "': external data length " + length
          + " differs from its size " + spec.byteSize() + " bytes");
    }
    if (modelDir == null) {
      throw new InvalidInputException("tensor '" + key + "': external data '" + location
          + "' but no model directory was given");
    }
    Path file = fs.makeQualified(new Path(modelDir, relative(location, key)));
    if (!fileLengths.containsKey(file)) {
      ModelFolder.confine(fs, modelDir, file, "tensor '" + key + "': external data location '" + location + "'");
    }
    long fileLength = fileLengths.containsKey(file) ? fileLengths.get(file) : length(fs, file, key);
    fileLengths.put(file, fileLength);
    long end;
    try {
      end = Math.addExact(offset, spec.byteSize());
    } catch (ArithmeticException e) {
      end = Long.MAX_VALUE;
    }
    if (end > fileLength) {
      throw new InvalidInputException("tensor '" + key + "': external data range [" + offset + ", " + end
          + ") lies beyond the end of " + file + " (" + fileLength + " bytes)");
    }
    return new StoredTensor(spec, file.toString(), offset);
  }

  /**
   * Reads the bytes of one external tensor.
   *
   * @return a new array of {@code stored.spec().byteSize()} bytes
   * @throws InvalidInputException if the tensor is too large for one Java array or the file shrank
   * @throws IOException if the file system fails
   */
  static byte[] read(FileSystem fs, StoredTensor stored) throws IOException {
    long size = stored.spec().byteSize();
    if (size > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException("tensor '" + stored.spec().name() + "': " + size
          + " bytes do not fit one Java array; read it by range from " + stored.file());
    }
    byte[] buf = new byte[(int) size];
    try (FSDataInputStream in = fs.open(new Path(stored.file()))) {
      in.readFully(stored.offset(), buf);
    } catch (java.io.EOFException e) {
      throw new InvalidInputException("tensor '" + stored.spec().name() + "': external file " + stored.file()
          + " ended before byte " + stored.end(), e);
    }
    return buf;
  }

  /** The location as a normalized relative path that stays inside the model directory. */
  static String relative(String location, String key) {
    if (location.startsWith("/") || location.startsWith("\\") || location.contains(":")) {
      throw escape(location, key);
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : location.split("[/\\\\]")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw escape(location, key);
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    if (parts.isEmpty()) {
      throw escape(location, key);
    }
    return String.join("/", parts);
  }

  private static InvalidInputException escape(String location, String key) {
    return new InvalidInputException("tensor '" + key + "': external data location '" + location
        + "' is not a file path inside the model directory");
  }

  private static long length(FileSystem fs, Path file, String key) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(file);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException("tensor '" + key + "': external data file missing: " + file, e);
    }
    if (!status.isFile()) {
      throw new InvalidInputException("tensor '" + key + "': external data path is not a file: " + file);
    }
    return status.getLen();
  }

  private static long parseCount(String value, String what, String key) {
    try {
      long v = Long.parseLong(value.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("tensor '" + key + "': external data " + what + " '" + value
        + "' is not a non-negative integer");
  }
}
