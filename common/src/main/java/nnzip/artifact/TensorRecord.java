package nnzip.artifact;

import java.util.List;
import nnzip.tensor.TensorSpec;

/**
 * What the manifest says about one original tensor: how it was coded, where its pieces are, and
 * how far the reconstruction is from the original.
 *
 * @param spec original name, dtype and shape
 * @param codec codec label ({@code passthrough} when stored as is)
 * @param bits bits per code index (0 for passthrough)
 * @param scope {@code channel} or {@code tensor} (null for passthrough)
 * @param channels number of parameter groups (1 for tensor scope and passthrough)
 * @param channelAxis axis along which the groups lie (0 unless the source said otherwise)
 * @param original size and SHA-256 of each shard of the original tensor bytes, in order (one chunk,
 *     the digest of the whole tensor, when it was not split)
 * @param relativeMse MSE / variance of the original (0 for passthrough)
 * @param maxAbsError largest absolute reconstruction error (0 for passthrough)
 * @param entries stored entries of this tensor, in file order
 */
public record TensorRecord(
    TensorSpec spec,
    String codec,
    int bits,
    String scope,
    int channels,
    int channelAxis,
    List<Chunk> original,
    double relativeMse,
    double maxAbsError,
    List<StoredEntry> entries) {

  public static final String PASSTHROUGH = "passthrough";

  /**
   * @throws nnzip.InvalidInputException if a chunk size is negative or a chunk list's total
   *     overflows a long ({@link ArtifactBounds#checkRecord})
   */
  public TensorRecord {
    entries = List.copyOf(entries);
    original = List.copyOf(original);
    ArtifactBounds.checkRecord(spec, original, entries);
  }

  public boolean isPassthrough() {
    return PASSTHROUGH.equals(codec);
  }

  /** Bytes of the original tensor. */
  public long originalBytes() {
    return spec.byteSize();
  }

  /** Bytes this tensor takes in the artifact (excluding the header). */
  public long storedBytes() {
    return entries.stream().mapToLong(StoredEntry::bytes).sum();
  }

  /** Stored bits per original element. */
  public double bitsPerWeight() {
    long n = spec.numElements();
    return n == 0 ? 0 : 8.0 * storedBytes() / n;
  }
}
