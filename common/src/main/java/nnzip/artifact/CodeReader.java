package nnzip.artifact;

import nnzip.Digests;
import java.io.Closeable;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.BitPacking;
import nnzip.codec.entropy.CodeStreamCoder;
import nnzip.io.StoredTensor;
import nnzip.io.ReadableFile;

/**
 * Reads a coded tensor's code indices in order, whichever way the artifact stores them: bit-packed at
 * a fixed width ({@value StoredEntry#CODES}), or arithmetic-coded in independent segments of
 * {@link #segmentCodes} codes, one manifest chunk each ({@value StoredEntry#CODES_CABAC}). Each
 * arithmetic-coded segment is checked against its SHA-256 before it is decoded, since damaged coded
 * bytes would otherwise decode to other codes without notice. Memory is one block or segment.
 */
public final class CodeReader implements Closeable {
  /** Codes per block when reading packed codes: a multiple of 8, so blocks are whole bytes. */
  private static final int PACKED_BLOCK = 1 << 16;

  /** Upper bound of codes per arithmetic-coded segment. */
  static final int SEGMENT_CODES = 1 << 20;

  private final Artifact artifact;
  private final TensorRecord tensor;
  private final StoredEntry entry;
  private final long count;
  private final int rowLength;
  private final ReadableFile.Positioned in;
  private final boolean arithmetic;
  private long pos;
  private int chunkIndex;
  private int[] block = new int[0];
  private int blockLen;
  private int blockPos;
  private long delivered;
  private long fetched;

  private CodeReader(Artifact a, TensorRecord t, StoredEntry e, long count, int rowLength) throws IOException {
    this.artifact = a;
    this.tensor = t;
    this.entry = e;
    this.count = count;
    this.rowLength = rowLength;
    this.arithmetic = e.role().equals(StoredEntry.CODES_CABAC);
    checkEntry(a, t, e, count, rowLength);
    this.pos = a.entry(e.key()).offset();
    this.in = a.readableFile().open();
  }

  /**
   * Checks, reading nothing, that a codes entry can hold {@code count} codes: bit-packed, exactly
   * their packed bytes; arithmetic-coded, one chunk per segment.
   *
   * @throws InvalidInputException naming the tensor and both numbers if not
   */
  static void checkEntry(Artifact a, TensorRecord t, StoredEntry e, long count, int rowLength) {
    long packed = ArtifactBounds.packedCodeBytes(count, t.bits(), t.spec().name());
    long stored = a.entry(e.key()).spec().byteSize();
    if (!e.role().equals(StoredEntry.CODES_CABAC) && stored != packed) {
      throw new InvalidInputException(a.file() + ": codes of '" + t.spec().name() + "' have " + stored
          + " bytes, expected " + packed + " (" + count + " codes of " + t.bits() + " bits)");
    }
    if (e.role().equals(StoredEntry.CODES_CABAC) && e.chunks().size() != segments(count, rowLength)) {
      throw new InvalidInputException(a.file() + ": coded codes of '" + t.spec().name() + "' have "
          + e.chunks().size() + " segments, expected " + segments(count, rowLength) + " (" + count + " codes)");
    }
  }

  /**
   * Opens the codes of {@code t}.
   *
   * @param count codes the tensor holds (elements for scalar codecs, subvectors × M for aq)
   * @param rowLength codes per row, the arithmetic coder's "above" context (see {@link nnzip.codec.TensorCoder#rowLength})
   */
  public static CodeReader open(Artifact a, TensorRecord t, long count, int rowLength) throws IOException {
    return new CodeReader(a, t, codesEntry(t), count, rowLength);
  }

  /**
   * How many codes a tensor holds and how they form rows.
   *
   * @param count elements for scalar codecs, subvectors × M for aq
   * @param rowLength codes per row: the row of a weight matrix, or aq's M codes of one subvector
   */
  public record Layout(long count, int rowLength) {}

  /** The code layout of a coded tensor, from its coder (aq's M and d come from its stored shape). */
  public static Layout layoutOf(Artifact a, TensorRecord t) throws IOException {
    return layoutOf(a.coder(t), t);
  }

  /** The code layout a coder gives a tensor. */
  static Layout layoutOf(nnzip.codec.TensorCoder coder, TensorRecord t) {
    return new Layout(coder.codeCount(t.spec().numElements()), coder.rowLength(t.spec().shape(), SEGMENT_CODES));
  }

  /** Opens the codes of {@code t} with the layout its codec gives them. */
  public static CodeReader open(Artifact a, TensorRecord t) throws IOException {
    Layout l = layoutOf(a, t);
    return open(a, t, l.count(), l.rowLength());
  }

  /** The entry holding a tensor's codes, in either form. */
  public static StoredEntry codesEntry(TensorRecord t) {
    return t.entries().stream().filter(StoredEntry::isCodes).findFirst().orElseThrow(
        () -> new InvalidInputException("tensor '" + t.spec().name() + "' has no codes in the manifest"));
  }

  /** Codes per arithmetic-coded segment: whole rows, at most {@link #SEGMENT_CODES}. */
  public static int segmentCodes(int rowLength) {
    int row = Math.max(1, Math.min(rowLength, SEGMENT_CODES));
    return SEGMENT_CODES / row * row;
  }

  /** Number of segments {@code count} codes take. */
  public static long segments(long count, int rowLength) {
    long s = segmentCodes(rowLength);
    return count / s + (count % s == 0 ? 0 : 1); // no count + s - 1: count may be near Long.MAX_VALUE
  }

  /**
   * Reads the next {@code n} codes into {@code dst[0..n)}.
   *
   * @throws InvalidInputException if fewer remain, or a segment is damaged
   */
  public void read(int[] dst, int n) throws IOException {
    if (delivered + n > count) {
      throw new IllegalArgumentException("reading " + n + " codes past the " + count + " of '" + tensor.spec().name() + "'");
    }
    int done = 0;
    while (done < n) {
      if (blockPos == blockLen) {
        fill();
      }
      int take = Math.min(n - done, blockLen - blockPos);
      System.arraycopy(block, blockPos, dst, done, take);
      blockPos += take;
      done += take;
    }
    delivered += n;
  }

  private void fill() throws IOException {
    if (arithmetic) {
      int codes = (int) Math.min(segmentCodes(rowLength), count - fetched);
      Chunk c = entry.chunks().get(chunkIndex++);
      byte[] bytes = readBytes(c.bytes());
      MessageDigest d = Digests.sha256();
      d.update(bytes);
      if (c.sha256() != null && !Digests.hex(d.digest()).equals(c.sha256())) {
        throw new InvalidInputException(artifact.file() + ": coded codes of '" + tensor.spec().name()
            + "' are corrupt (SHA-256 mismatch in segment " + (chunkIndex - 1) + ")");
      }
      ensure(codes);
      CodeStreamCoder.decode(bytes, 0, bytes.length, codes, tensor.bits(), rowLength, block, 0);
      blockLen = codes;
    } else {
      int codes = (int) Math.min(PACKED_BLOCK, count - fetched);
      byte[] bytes = readBytes(BitPacking.packedBytes(codes, tensor.bits()));
      ensure(codes);
      BitPacking.unpack(bytes, 0, codes, tensor.bits(), block);
      blockLen = codes;
    }
    blockPos = 0;
    fetched += blockLen;
  }

  private void ensure(int codes) {
    if (block.length < codes) {
      block = new int[codes];
    }
  }

  private byte[] readBytes(long len) throws IOException {
    if (len > Integer.MAX_VALUE - 16) {
      throw new InvalidInputException(artifact.file() + ": a segment of '" + tensor.spec().name() + "' is too large");
    }
    byte[] b = new byte[(int) len];
    try {
      in.readFully(pos, b, 0, b.length);
    } catch (ReadableFile.Corrupt e) {
      throw new InvalidInputException(artifact.file() + ": codes of '" + tensor.spec().name() + "' are corrupt", e);
    } catch (java.io.EOFException e) {
      throw new InvalidInputException(artifact.file() + ": codes of '" + tensor.spec().name() + "' are truncated", e);
    }
    pos += len;
    return b;
  }

  /** The chunks (segments) an arithmetic-coded entry must list, for writers. */
  static List<Chunk> chunksOf(List<byte[]> segments) {
    return segments.stream().map(s -> {
      MessageDigest d = Digests.sha256();
      d.update(s);
      return new Chunk(s.length, Digests.hex(d.digest()));
    }).toList();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
