package nnzip.artifact;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.aq.Codebooks;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;

/**
 * Restores a tensor coded by additive quantization: M codes of b bits per d-dimensional subvector,
 * decoded as the sum of M codewords ({@link Codebooks#decode}, the one decode), times the tensor's
 * scale, the zero padding past the tensor's end dropped.
 */
final class AqRestorer {
  /** Parameter names of the aq codec in the artifact. */
  static final String CODEWORDS = "codewords";
  static final String SHAPE = "shape";
  static final String SCALE = "scale";

  /** Subvectors decoded per chunk: a multiple of 8, so each chunk's codes are whole bytes. */
  private static final int CHUNK_SUBVECTORS = 1 << 16;

  private AqRestorer() {}

  static void restore(Artifact a, TensorRecord t, OutputStream out) throws IOException {
    Map<String, float[]> p = a.parameters(t);
    float[] shape = p.get(SHAPE);
    float[] words = p.get(CODEWORDS);
    if (words == null) {
      throw new InvalidInputException(a.file() + ": aq tensor '" + t.spec().name() + "' lacks its codebooks");
    }
    ArtifactBounds.AqShape checked;
    Codebooks books;
    try {
      checked = ArtifactBounds.aqShape(shape, words.length, t.bits(), t.spec());
      books = Codebooks.of(checked.m(), checked.k(), checked.d(), words);
    } catch (InvalidInputException | IllegalArgumentException e) { // a bad shape, or a non-finite codeword
      throw new InvalidInputException(a.file() + ": " + e.getMessage(), e);
    }
    int m = checked.m();
    int d = checked.d();
    float scale = p.containsKey(SCALE) ? p.get(SCALE)[0] : 1f;
    TensorSpec spec = t.spec();
    long n = spec.numElements();
    long subs = checked.subvectors();
    int chunk = (int) Math.min(CHUNK_SUBVECTORS, Math.max(1, subs));
    int[] idx = new int[chunk * m];
    float[] values = new float[chunk * d];
    ByteBuffer dense = ByteBuffer.allocate(chunk * d * spec.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    try (CodeReader codes = CodeReader.open(a, t, checked.codes(), m)) {
      long written = 0;
      for (long first = 0; first < subs; first += chunk) {
        int s = (int) Math.min(chunk, subs - first);
        codes.read(idx, s * m);
        books.decode(idx, s, values);
        int keep = (int) Math.min((long) s * d, n - written);
        for (int i = 0; i < keep; i++) {
          values[i] *= scale;
        }
        dense.clear();
        FloatCodec.encode(values, 0, keep, spec.dtype(), dense);
        out.write(dense.array(), 0, dense.position());
        written += keep;
      }
    }
  }
}
