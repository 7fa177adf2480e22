package nnzip.compress;

import nnzip.Digests;
import java.io.Serializable;
import java.security.MessageDigest;
import nnzip.artifact.Chunk;
import nnzip.codec.ScalarCodec;
import nnzip.stats.Moments;
import org.apache.hadoop.fs.FileSystem;

/**
 * First pass over one shard: the SHA-256 of its original bytes, the moments of its values and the
 * codec's summary of them (null for passthrough tensors).
 *
 * @param shard the shard scanned
 * @param original size and digest of the shard's original bytes
 * @param moments moments of the finite values (empty for non-floating dtypes)
 * @param summary the codec's summary of the finite values, or null
 */
public record ShardStatistics(Shard shard, Chunk original, Moments moments, ScalarCodec.Summary summary)
    implements Serializable {

  /** Scans {@code shard} of {@code task}'s tensor. */
  public static ShardStatistics scan(FileSystem fs, TensorTask task, Shard shard) {
    MessageDigest digest = Digests.sha256();
    Moments moments = new Moments();
    ScalarCodec.Summary summary = task.newSummary();
    TensorReader.read(fs, task.source(), shard.first(), shard.count(), (raw, values, n, first) -> {
      digest.update(raw.duplicate());
      if (values != null) {
        moments.add(values, n, first);
        // A tensor holding NaN/Inf is never coded (rejected or passed through), so its summary is dropped.
        if (summary != null && moments.nonFinite() == 0) {
          summary.add(values, n, first);
        }
      }
    });
    long bytes = shard.count() * (long) task.source().spec().dtype().byteSize();
    return new ShardStatistics(shard, new Chunk(bytes, Digests.hex(digest.digest())), moments,
        moments.nonFinite() == 0 ? summary : null);
  }
}
