package nnzip.artifact;

import java.io.IOException;
import nnzip.InvalidInputException;

/** The code indices of a coded tensor, read into memory (for finetuning, which freezes them). */
public final class ArtifactCodes {
  private ArtifactCodes() {}

  /**
   * Reads every code of {@code t}, bit-packed (its chunks checked against their SHA-256 first) or
   * arithmetic-coded (each segment checked against its SHA-256 as it is decoded).
   *
   * @param count number of codes the entry must hold (elements for scalar codecs, subvectors × M for aq)
   * @return the codes, length count
   * @throws InvalidInputException if the entry disagrees with count, is damaged, or is too large
   */
  public static int[] read(Artifact a, TensorRecord t, long count) throws IOException {
    CodeReader.Layout layout = CodeReader.layoutOf(a, t);
    if (layout.count() != count || count > Integer.MAX_VALUE - 16) {
      throw new InvalidInputException(a.file() + ": tensor '" + t.spec().name() + "' holds " + layout.count()
          + " codes, expected " + count + " (or too many to hold in memory)");
    }
    StoredEntry e = CodeReader.codesEntry(t);
    if (!e.role().equals(StoredEntry.CODES_CABAC)) {
      // Bit-packed codes are checked here; the reader checks each arithmetic-coded segment itself.
      try (var in = a.readableFile().open()) {
        a.copyVerified(in, a.entry(e.key()).offset(), e.chunks(), null, "codes of '" + t.spec().name() + "'");
      }
    }
    int[] codes = new int[(int) count];
    try (CodeReader r = CodeReader.open(a, t, count, layout.rowLength())) {
      r.read(codes, codes.length);
    }
    return codes;
  }
}
