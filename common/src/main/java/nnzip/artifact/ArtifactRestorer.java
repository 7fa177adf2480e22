package nnzip.artifact;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.TensorCoder;
import nnzip.compress.TensorReader;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import nnzip.io.ReadableFile;

/**
 * Turns an artifact back into dense tensors with their original names, shapes and dtypes. Coded
 * tensors of every codec are decoded chunk by chunk through their {@link TensorCoder}, so memory
 * stays bounded; passed-through tensors are copied and
 * checked against the SHA-256 of the original.
 */
public final class ArtifactRestorer {
  private ArtifactRestorer() {}

  /**
   * Writes the dense bytes of one original tensor to {@code out}.
   *
   * @throws InvalidInputException if a passed-through tensor does not match its original digest
   */
  public static void restore(Artifact a, TensorRecord t, OutputStream out) throws IOException {
    if (t.isPassthrough()) {
      long covered = ArtifactBounds.chunkBytes(t.original(), "tensor '" + t.spec().name() + "'");
      if (covered != t.spec().byteSize()) {
        throw new InvalidInputException(a.file() + ": tensor '" + t.spec().name() + "': its original digests cover "
            + covered + " bytes but the tensor has " + t.spec().byteSize());
      }
      try (ReadableFile.Positioned in = a.readableFile().open()) {
        a.copyVerified(in, a.entry(dataEntry(t).key()).offset(), t.original(), out,
            "tensor '" + t.spec().name() + "' (its original SHA-256)");
      }
      return;
    }
    TensorCoder coder = a.coder(t);
    TensorSpec spec = t.spec();
    long n = spec.numElements();
    int e = coder.elementsPerGroup();
    long groups = (n + e - 1) / e;
    // Whole groups per chunk, a multiple of 8 so each chunk's packed codes are whole bytes.
    int chunk = (int) Math.min(Math.max(8, TensorReader.CHUNK_ELEMENTS / e / 8 * 8), Math.max(1, groups));
    int[] codes = new int[Math.multiplyExact(chunk, coder.codesPerGroup())];
    float[] values = new float[chunk * e];
    ByteBuffer dense = ByteBuffer.allocate(chunk * e * spec.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    CodeReader.Layout layout = CodeReader.layoutOf(coder, t);
    try (CodeReader reader = CodeReader.open(a, t, layout.count(), layout.rowLength())) {
      long written = 0;
      for (long first = 0; first < groups; first += chunk) {
        int g = (int) Math.min(chunk, groups - first);
        reader.read(codes, g * coder.codesPerGroup());
        coder.decode(codes, g, first, values);
        int keep = (int) Math.min((long) g * e, n - written); // the zero padding past the end is dropped
        dense.clear();
        FloatCodec.encode(values, 0, keep, spec.dtype(), dense);
        out.write(dense.array(), 0, dense.position());
        written += keep;
      }
    }
  }



  /**
   * The runnable ONNX model: the stored graph with every tensor restored in place (models under
   * protobuf's 2 GiB limit).
   *
   * @throws InvalidInputException if the artifact holds no ONNX graph
   */
  public static byte[] toOnnxBytes(Artifact a) throws IOException {
    if (a.manifest().graphKey() == null) {
      throw new InvalidInputException(a.file() + ": the artifact holds no ONNX graph (its source was not ONNX)");
    }
    Map<String, byte[]> weights = new java.util.LinkedHashMap<>();
    for (TensorRecord t : a.manifest().tensors()) {
      weights.put(t.spec().name(), restoreToBytes(a, t));
    }
    return nnzip.io.onnx.OnnxWeightWriter.restoreBytes(a.graph(), weights);
  }

  /** The dense bytes of one tensor in memory (tensors under 2 GiB, e.g. for an ONNX graph). */
  public static byte[] restoreToBytes(Artifact a, TensorRecord t) throws IOException {
    if (t.originalBytes() > Integer.MAX_VALUE - 16) {
      throw new InvalidInputException("tensor '" + t.spec().name() + "' is too large to restore in memory");
    }
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream((int) t.originalBytes());
    restore(a, t, bos);
    return bos.toByteArray();
  }

  private static StoredEntry dataEntry(TensorRecord t) {
    return role(t, StoredEntry.DATA);
  }

  private static StoredEntry role(TensorRecord t, String role) {
    return t.entries().stream().filter(e -> e.role().equals(role)).findFirst().orElseThrow(
        () -> new InvalidInputException("tensor '" + t.spec().name() + "' has no '" + role + "' entry in the manifest"));
  }
}
