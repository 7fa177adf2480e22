package nnzip.compress;

import nnzip.artifact.ArtifactWriter;
import nnzip.artifact.StoredEntry;
import nnzip.codec.Half;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;

/**
 * Side information of the scalar codecs (per-group levels, min and step) and its precision: a
 * fitted quantizer is rounded to F16 where its codec's rule allows ({@link ScalarCodec#toHalf}),
 * before any code is chosen, and a parameter whose values are all F16 values is stored as F16.
 */
public final class SideInformation {
  private SideInformation() {}

  /** The quantizer to encode with and store: F16 parameters where the codec allows, else the exact one. */
  public static ScalarCodec.Quantizer storable(ScalarCodec codec, ScalarCodec.Quantizer exact) {
    ScalarCodec.Quantizer half = exact == null ? null : codec.toHalf(exact);
    return half != null ? half : exact;
  }

  /** Whether a parameter is stored as F16 (every value exactly an F16 value: lossless). */
  public static boolean isHalf(float[] values) {
    return Half.isExact(values);
  }

  /** The stored bytes of a parameter: F16 or F32 little-endian. */
  public static byte[] bytes(float[] values) {
    return isHalf(values) ? ArtifactWriter.halfBytes(values) : ArtifactWriter.floatBytes(values);
  }

  /** The stored entry role of parameter {@code name} with these values. */
  public static String role(String name, float[] values) {
    return (isHalf(values) ? StoredEntry.HALF_PARAM_PREFIX : StoredEntry.PARAM_PREFIX) + name;
  }

  /** Bytes of a quantizer's stored parameters. */
  public static long parameterBytes(ScalarCodec.Quantizer q) {
    long bytes = 0;
    for (float[] v : q.parameters().values()) {
      bytes += (long) v.length * (isHalf(v) ? 2 : 4);
    }
    return bytes;
  }

  /** Bytes of the packed codes of {@code n} elements at {@code bits} bits. */
  public static long codeBytes(long n, int bits) {
    return (Math.multiplyExact(n, bits) + 7) / 8;
  }

  /** The fewest parameter bytes a layout can take with this codec (every parameter F16). */
  static long leastParameterBytes(ScalarCodec codec, TensorLayout layout) {
    return Math.multiplyExact((long) layout.channels() * codec.parametersPerGroup(), 2L);
  }

  /** Total stored bytes (codes and own parameters) of a quantizer over n elements. */
  static long totalBytes(ScalarCodec.Quantizer q, long n) {
    return codeBytes(n, q.bits()) + parameterBytes(q);
  }
}
