package nnzip.compress;

import nnzip.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import nnzip.artifact.Chunk;
import nnzip.codec.BitPacking;
import nnzip.codec.ScalarCodec.Quantizer;
import nnzip.stats.ErrorStats;
import nnzip.tensor.FloatCodec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Second pass, one shard: reads the shard's values, encodes them with the fitted quantizer,
 * decodes them again to measure the error, and writes the packed codes to a part file.
 */
public final class ShardEncoder {
  private ShardEncoder() {}

  /** Name of a shard's part file inside the parts directory; fixed width keeps listings ordered. */
  public static String partName(Shard s) {
    return String.format("t%06d-s%06d.codes", s.tensorIndex(), s.shardIndex());
  }

  /**
   * Encodes {@code shard} of {@code task} and writes its packed codes to {@code partsDir}.
   *
   * @return the part's size and digest and the shard's reconstruction error
   */
  public static ShardResult encode(FileSystem fs, TensorTask task, Quantizer quantizer, Shard shard, Path partsDir) {
    int bits = quantizer.bits();
    int chunk = TensorReader.CHUNK_ELEMENTS; // a multiple of 8, so chunks pack into whole bytes
    int[] codes = new int[Math.min(chunk, shard.count())];
    float[] decoded = new float[codes.length];
    byte[] packed = new byte[(int) BitPacking.packedBytes(codes.length, bits)];
    MessageDigest digest = Digests.sha256();
    ErrorStats[] error = {ErrorStats.EMPTY};
    long[] written = {0};
    Path part = new Path(partsDir, partName(shard));
    try (OutputStream out = fs.create(part, true)) {
      TensorReader.read(fs, task.source(), shard.first(), shard.count(), (raw, values, n, first) -> {
        quantizer.encode(values, n, first, codes);
        quantizer.decode(codes, n, first, decoded);
        FloatCodec.roundTo(task.source().spec().dtype(), decoded, n); // what the restorer will write
        error[0] = error[0].merge(ErrorStats.of(values, decoded, n));
        int len = (int) BitPacking.packedBytes(n, bits);
        BitPacking.pack(codes, n, bits, packed, 0);
        digest.update(packed, 0, len);
        try {
          out.write(packed, 0, len);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + part, e);
        }
        written[0] += len;
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + part, e);
    }
    return new ShardResult(shard, new Chunk(written[0], Digests.hex(digest.digest())), error[0]);
  }
}
