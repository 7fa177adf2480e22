package nnzip.artifact;

import java.io.IOException;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.tensor.TensorSpec;

/**
 * Sizes an artifact claims (chunk runs, aq codebook shapes, code counts), checked with exact
 * arithmetic before anything is read or allocated, so a damaged or hostile artifact ends in one
 * {@link InvalidInputException} line rather than OutOfMemoryError, NegativeArraySizeException or
 * ArithmeticException. Readers call these where they first meet a size.
 */
public final class ArtifactBounds {
  /** Most aq codebooks M a reader accepts (recipes allow 1..8). */
  static final int MAX_CODEBOOKS = 64;

  /** Largest aq subvector dimension d a reader accepts (recipes allow 4, 8, 16): bounds decode buffers. */
  static final int MAX_DIM = 64;

  /** Widest code a reader accepts, in bits (BitPacking's limit; recipes use at most 16). */
  static final int MAX_CODE_BITS = 32;

  private ArtifactBounds() {}

  /**
   * The total length of consecutive chunks.
   *
   * @param what the entry or tensor named in messages
   * @return the exact sum of the chunk sizes
   * @throws InvalidInputException if a chunk size is negative or the sum exceeds a long
   */
  public static long chunkBytes(List<Chunk> chunks, String what) {
    long sum = 0;
    for (int i = 0; i < chunks.size(); i++) {
      long b = chunks.get(i).bytes();
      if (b < 0) {
        throw new InvalidInputException(what + ": chunk " + i + " claims " + b + " bytes");
      }
      try {
        sum = Math.addExact(sum, b);
      } catch (ArithmeticException e) {
        throw new InvalidInputException(what + ": chunk sizes overflow a 64-bit length (" + sum + " + " + b
            + " at chunk " + i + ")");
      }
    }
    return sum;
  }

  /**
   * Checks every chunk list of one tensor's record: its original digests and each stored entry.
   *
   * @throws InvalidInputException as {@link #chunkBytes}, naming the tensor and entry
   */
  static void checkRecord(TensorSpec spec, List<Chunk> original, List<StoredEntry> entries) {
    chunkBytes(original, "tensor '" + spec.name() + "': original digests");
    for (StoredEntry e : entries) {
      chunkBytes(e.chunks(), "tensor '" + spec.name() + "': entry '" + e.key() + "'");
    }
  }

  /**
   * Checks the chunk lists of entries shared by several tensors (global-scope parameters).
   *
   * @throws InvalidInputException as {@link #chunkBytes}, naming the entry
   */
  public static void checkShared(List<StoredEntry> shared) {
    for (StoredEntry e : shared) {
      chunkBytes(e.chunks(), "shared entry '" + e.key() + "'");
    }
  }

  /**
   * Checks every size an opened artifact claims that its header cross-check does not: shared
   * entries' chunk lists, and for each coded tensor its code count (aq: from the stored codebook
   * shape) against its codes entry. Reads only the small aq parameter entries.
   *
   * @throws InvalidInputException naming the artifact, tensor or entry and both numbers
   * @throws IOException if reading a parameter fails
   */
  public static void check(Artifact a) throws IOException {
    try {
      checkShared(a.manifest().shared());
    } catch (InvalidInputException e) {
      throw new InvalidInputException(a.file() + ": " + e.getMessage(), e);
    }
    for (TensorRecord t : a.manifest().tensors()) {
      if (!t.isPassthrough()) {
        CodeReader.Layout layout = CodeReader.layoutOf(a, t);
        CodeReader.checkEntry(a, t, CodeReader.codesEntry(t), layout.count(), layout.rowLength());
      }
    }
  }

  /**
   * Bytes that {@code count} codes of {@code bits} bits take bit-packed.
   *
   * @throws InvalidInputException naming the tensor if bits are outside 1..{@value #MAX_CODE_BITS}
   *     or count · bits exceeds a long
   */
  public static long packedCodeBytes(long count, int bits, String tensor) {
    if (bits < 1 || bits > MAX_CODE_BITS) {
      throw new InvalidInputException("tensor '" + tensor + "': " + bits + " bits per code is outside 1.."
          + MAX_CODE_BITS);
    }
    if (count < 0 || count > (Long.MAX_VALUE - 7) / bits) {
      throw new InvalidInputException("tensor '" + tensor + "': " + count + " codes of " + bits
          + " bits overflow a 64-bit length");
    }
    return (count * bits + 7) >>> 3;
  }

  /**
   * An aq tensor's codebook shape as stored: M codebooks of K codewords of dimension d.
   *
   * @param m codebooks M, 1..{@value #MAX_CODEBOOKS}
   * @param k codewords per codebook K = 2^bits
   * @param d subvector dimension, 1..{@value #MAX_DIM}
   * @param subvectors ⌈elements / d⌉
   * @param codes subvectors · M, the codes the tensor holds
   */
  public record AqShape(int m, int k, int d, long subvectors, long codes) {}

  /**
   * Checks an aq tensor's stored shape parameter against its codewords and tensor.
   *
   * @param shape the stored {@code [M, K, d]}, length 3
   * @param words number of stored codeword values, or -1 where the caller has not read them
   * @param bits the tensor's bits per code, log2 K
   * @param spec the tensor
   * @throws InvalidInputException naming the tensor and both numbers if a value is not a whole
   *     number in its range, K is not 2^bits, M·K·d differs from {@code words}, or the code count
   *     overflows
   */
  public static AqShape aqShape(float[] shape, long words, int bits, TensorSpec spec) {
    String where = "aq tensor '" + spec.name() + "': codebook shape";
    if (shape == null || shape.length != 3) {
      throw new InvalidInputException("aq tensor '" + spec.name() + "' lacks its codebook shape [M, K, d]");
    }
    int m = whole(shape[0], MAX_CODEBOOKS, where + " M");
    if (bits < 1 || bits > 16) {
      throw new InvalidInputException("aq tensor '" + spec.name() + "': " + bits + " bits per code is outside 1..16");
    }
    int k = whole(shape[1], 1 << 16, where + " K");
    int d = whole(shape[2], MAX_DIM, where + " d");
    if (k != 1 << bits) {
      throw new InvalidInputException(where + " K = " + k + " but the tensor has " + bits + "-bit codes (K = "
          + (1 << bits) + ")");
    }
    long values = (long) m * k * d; // ≤ 64 · 2^16 · 64: no overflow
    if (words >= 0 && values != words) {
      throw new InvalidInputException(where + " [" + m + ", " + k + ", " + d + "] needs M·K·d = " + values
          + " codeword values but " + words + " are stored");
    }
    long n = spec.numElements();
    long subvectors = n / d + (n % d == 0 ? 0 : 1);
    long codes;
    try {
      codes = Math.multiplyExact(subvectors, (long) m);
    } catch (ArithmeticException e) {
      throw new InvalidInputException(where + ": " + subvectors + " subvectors × M = " + m + " codes overflow");
    }
    return new AqShape(m, k, d, subvectors, codes);
  }

  private static int whole(float v, int max, String what) {
    if (!(v >= 1 && v <= max) || v != Math.rint(v)) {
      throw new InvalidInputException(what + " = " + v + " is not a whole number in 1.." + max);
    }
    return (int) v;
  }
}
