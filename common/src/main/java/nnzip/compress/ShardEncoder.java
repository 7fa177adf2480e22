package nnzip.compress;

import nnzip.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import nnzip.artifact.Chunk;
import nnzip.codec.BitPacking;
import nnzip.codec.TensorCoder;
import nnzip.stats.ErrorStats;
import nnzip.tensor.FloatCodec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The encode pass for one shard, for every codec: reads the shard's values chunk by chunk, encodes
 * them with the tensor's fitted {@link TensorCoder}, decodes them again (the restorer's decode,
 * rounded to the tensor's dtype) to measure the error, and writes the packed codes to a part file.
 */
public final class ShardEncoder {
  private ShardEncoder() {}

  /** Name of a shard's part file inside the parts directory; fixed width keeps listings ordered. */
  public static String partName(Shard s) {
    return String.format("t%06d-s%06d.codes", s.tensorIndex(), s.shardIndex());
  }

  /**
   * Encodes {@code shard} of {@code task} and writes its packed codes to {@code partsDir}. The shard
   * starts at a multiple of 8 groups ({@link #alignment}), so its packed codes are whole bytes.
   *
   * @return the part's size and digest and the shard's reconstruction error
   */
  public static ShardResult encode(FileSystem fs, TensorTask task, TensorCoder coder, Shard shard, Path partsDir) {
    int bits = coder.bits();
    int e = coder.elementsPerGroup();
    int c = coder.codesPerGroup();
    if (shard.first() % e != 0) {
      throw new IllegalArgumentException("shard of '" + task.source().spec().name() + "' starts at element "
          + shard.first() + ", not a multiple of the coder's " + e);
    }
    int chunkGroups = (Math.min(TensorReader.CHUNK_ELEMENTS, shard.count()) + e - 1) / e;
    int[] codes = new int[chunkGroups * c];
    float[] padded = new float[chunkGroups * e];
    float[] decoded = new float[chunkGroups * e];
    byte[] packed = new byte[(int) BitPacking.packedBytes(codes.length, bits)];
    MessageDigest digest = Digests.sha256();
    ErrorStats[] error = {ErrorStats.EMPTY};
    long[] written = {0};
    Path part = new Path(partsDir, partName(shard));
    try (OutputStream out = fs.create(part, true)) {
      // TensorReader's chunks hold a multiple of e elements except at the tensor's end.
      TensorReader.read(fs, task.source(), shard.first(), shard.count(), (raw, values, n, first) -> {
        int groups = (n + e - 1) / e;
        float[] x = values;
        if (groups * e != n) { // the tensor's tail: zero-padded to a whole group
          System.arraycopy(values, 0, padded, 0, n);
          java.util.Arrays.fill(padded, n, groups * e, 0f);
          x = padded;
        }
        coder.encode(x, groups, first / e, codes);
        coder.decode(codes, groups, first / e, decoded);
        FloatCodec.roundTo(task.source().spec().dtype(), decoded, n); // what the restorer will write
        error[0] = error[0].merge(ErrorStats.of(values, decoded, n));
        int len = (int) BitPacking.packedBytes((long) groups * c, bits);
        BitPacking.pack(codes, groups * c, bits, packed, 0);
        digest.update(packed, 0, len);
        try {
          out.write(packed, 0, len);
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot write " + part, ex);
        }
        written[0] += len;
      });
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + part, ex);
    }
    return new ShardResult(shard, new Chunk(written[0], Digests.hex(digest.digest())), error[0]);
  }

  /** Shard alignment in elements for a coder of groups of {@code elementsPerGroup}: 8 groups. */
  public static int alignment(int elementsPerGroup) {
    return 8 * elementsPerGroup;
  }
}
