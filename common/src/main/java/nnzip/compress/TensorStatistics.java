package nnzip.compress;

import java.io.Serializable;
import java.security.MessageDigest;
import nnzip.codec.ScalarCodec;
import nnzip.stats.Moments;
import org.apache.hadoop.fs.FileSystem;

/**
 * First pass over one tensor: SHA-256 of its bytes, moments of its values and the codec fitted
 * on them (null for passthrough tensors and for values that are not all finite). Fitting happens
 * where the tensor was scanned, so tensors are fitted in parallel.
 *
 * @param index tensor task index
 * @param sha256 hex digest of the original bytes
 * @param moments moments of the finite values (empty for non-floating dtypes)
 * @param quantizer the fitted quantizer, or null
 */
public record TensorStatistics(int index, String sha256, Moments moments, ScalarCodec.Quantizer quantizer)
    implements Serializable {

  /** Scans {@code task}'s tensor once. */
  public static TensorStatistics scan(FileSystem fs, TensorTask task) {
    MessageDigest digest = TensorReader.sha256();
    Moments moments = new Moments();
    ScalarCodec.Summary summary = task.isPassthrough() ? null : task.codec().newSummary(task.layout());
    TensorReader.readAll(fs, task.source(), (raw, values, n, first) -> {
      digest.update(raw.duplicate());
      if (values != null) {
        moments.add(values, n, first);
        if (summary != null && moments.nonFinite() == 0) {
          summary.add(values, n, first);
        }
      }
    });
    return new TensorStatistics(task.index(), TensorReader.hex(digest.digest()), moments,
        summary != null && moments.nonFinite() == 0 ? task.codec().fit(summary) : null);
  }
}
