package nnzip.artifact;

import java.io.IOException;
import nnzip.InvalidInputException;
import nnzip.codec.BitPacking;
import nnzip.io.StoredTensor;
import org.apache.hadoop.fs.FSDataInputStream;

/** The code indices of a coded tensor, unpacked into memory (for finetuning, which freezes them). */
public final class ArtifactCodes {
  private ArtifactCodes() {}

  /**
   * Reads and unpacks the codes entry of {@code t}.
   *
   * @param count number of codes the entry must hold (elements for scalar codecs, subvectors × M for aq)
   * @return the codes, length count
   * @throws InvalidInputException if the entry's size disagrees with count, or the tensor is too large
   */
  public static int[] read(Artifact a, TensorRecord t, long count) throws IOException {
    StoredEntry e = t.entries().stream().filter(x -> x.role().equals(StoredEntry.CODES)).findFirst()
        .orElseThrow(() -> new InvalidInputException("tensor '" + t.spec().name() + "' has no codes in the manifest"));
    StoredTensor s = a.entry(e.key());
    long bytes = BitPacking.packedBytes(count, t.bits());
    if (s.spec().byteSize() != bytes || bytes > Integer.MAX_VALUE - 16 || count > Integer.MAX_VALUE - 16) {
      throw new InvalidInputException(a.file() + ": codes of '" + t.spec().name() + "' have " + s.spec().byteSize()
          + " bytes, expected " + bytes + " (or too many to hold in memory)");
    }
    byte[] packed = new byte[(int) bytes];
    try (FSDataInputStream in = a.fileSystem().open(a.file())) {
      a.copyVerified(in, s.offset(), e.chunks(), new java.io.OutputStream() {
        private int pos;

        @Override
        public void write(int b) {
          packed[pos++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          System.arraycopy(b, off, packed, pos, len);
          pos += len;
        }
      }, "codes of '" + t.spec().name() + "'");
    }
    int[] codes = new int[(int) count];
    BitPacking.unpack(packed, 0, codes.length, t.bits(), codes);
    return codes;
  }
}
