package nnzip.compress.aq;

import nnzip.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import nnzip.artifact.Chunk;
import nnzip.codec.BitPacking;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.NormalEquations;
import nnzip.compress.Shard;
import nnzip.compress.ShardEncoder;
import nnzip.compress.ShardResult;
import nnzip.compress.TensorReader;
import nnzip.stats.ErrorStats;
import nnzip.tensor.FloatCodec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What an executor does with one shard under additive quantization: cut it into d-dimensional
 * subvectors (row-major, scaled, the tensor's tail zero-padded), then sample them, sum their normal
 * equations for given codebooks, or encode them into packed codes. Shards start at multiples of d,
 * so a subvector never spans two shards.
 */
public final class AqShards {
  private AqShards() {}

  /**
   * The shard's subvectors: ceil(count / d) × d floats, values divided by the tensor's scale,
   * zeros past the tensor's end.
   */
  public static float[] subvectors(FileSystem fs, AqTensor t, Shard shard, int d) {
    return scaled(values(fs, t, shard), t, d);
  }

  /** The shard's original values, count of them. */
  private static float[] values(FileSystem fs, AqTensor t, Shard shard) {
    float[] v = new float[shard.count()];
    int[] pos = {0};
    TensorReader.read(fs, t.task().source(), shard.first(), shard.count(), (raw, values, n, first) -> {
      System.arraycopy(values, 0, v, pos[0], n);
      pos[0] += n;
    });
    return v;
  }

  /** Values divided by the tensor's scale, zero-padded to whole subvectors. */
  private static float[] scaled(float[] values, AqTensor t, int d) {
    float[] x = new float[(values.length + d - 1) / d * d];
    float inv = 1f / t.scale();
    for (int i = 0; i < values.length; i++) {
      x[i] = values[i] * inv;
    }
    return x;
  }

  /** Every {@code stride}-th subvector of the shard, counting from the tensor's first subvector. */
  public static float[] sample(FileSystem fs, AqTensor t, Shard shard, int d, long stride) {
    float[] x = subvectors(fs, t, shard, d);
    int subs = x.length / d;
    long firstSub = shard.first() / d;
    int start = (int) ((stride - firstSub % stride) % stride);
    int count = start >= subs ? 0 : (int) ((subs - 1 - start) / stride + 1);
    float[] out = new float[count * d];
    for (int i = 0; i < count; i++) {
      System.arraycopy(x, (int) (start + i * stride) * d, out, i * d, d);
    }
    return out;
  }

  /** Normal equations of the shard encoded with {@code quantizer}'s codebooks. */
  public static NormalEquations normalEquations(FileSystem fs, AqTensor t, Shard shard, AdditiveQuantizer quantizer) {
    int d = quantizer.params().dim();
    float[] x = subvectors(fs, t, shard, d);
    int n = x.length / d;
    int[] codes = new int[n * quantizer.params().codebooks()];
    quantizer.encode(x, n, codes, null);
    return NormalEquations.like(quantizer.codebooks()).add(codes, x, n);
  }

  /**
   * Encodes the shard, writes its packed codes (M codes of b bits per subvector) to a part file,
   * and measures the error of the real decode: scaled back and rounded to the tensor's dtype,
   * padding excluded.
   */
  public static ShardResult encode(FileSystem fs, AqTensor t, Shard shard, AdditiveQuantizer quantizer, Path partsDir) {
    int d = quantizer.params().dim();
    int m = quantizer.params().codebooks();
    int bits = quantizer.params().codebookBits();
    float[] original = values(fs, t, shard);
    float[] x = scaled(original, t, d);
    int n = x.length / d;
    int[] codes = new int[n * m];
    quantizer.encode(x, n, codes, null);
    float[] decoded = new float[x.length];
    quantizer.decode(codes, n, decoded);
    float[] restored = new float[shard.count()];
    for (int i = 0; i < shard.count(); i++) {
      restored[i] = decoded[i] * t.scale();
    }
    FloatCodec.roundTo(t.task().source().spec().dtype(), restored, restored.length);
    ErrorStats error = ErrorStats.of(original, restored, original.length);
    byte[] packed = new byte[(int) BitPacking.packedBytes(codes.length, bits)];
    BitPacking.pack(codes, codes.length, bits, packed, 0);
    MessageDigest digest = Digests.sha256();
    digest.update(packed);
    Path part = new Path(partsDir, ShardEncoder.partName(shard));
    try (OutputStream out = fs.create(part, true)) {
      out.write(packed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + part, e);
    }
    return new ShardResult(shard, new Chunk(packed.length, Digests.hex(digest.digest())), error);
  }

  /** Shard alignment: 8 subvectors of d, so packed codes of consecutive shards fill whole bytes. */
  public static int alignment(int d) {
    return 8 * d;
  }
}
