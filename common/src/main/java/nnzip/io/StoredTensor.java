package nnzip.io;

import java.util.Objects;
import nnzip.tensor.TensorSpec;

/**
 * Where one tensor's raw little-endian bytes lie: a file (a Hadoop path string, so the record
 * serializes to executors) and the absolute byte offset of the first element. The bytes span
 * {@code spec.byteSize()} from there.
 *
 * @param spec name, dtype and shape
 * @param file Hadoop path of the file holding the bytes
 * @param offset absolute offset of the first byte in {@code file}, ≥ 0
 */
public record StoredTensor(TensorSpec spec, String file, long offset) implements java.io.Serializable {
  public StoredTensor {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(file, "file");
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset " + offset + " for " + spec.name());
    }
  }

  /** Absolute offset one past the last byte. */
  public long end() {
    return offset + spec.byteSize();
  }
}
