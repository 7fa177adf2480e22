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


}
