package nnzip.compress.aq;

import java.io.Serializable;

/**
 * One tensor in the pool of additive quantization: the codebook group it shares (0 for every
 * tensor under global scope, its own index under tensor scope), the scale its values are divided by
 * before they join the pool (its RMS when normalizing, else 1), and its element count.
 *
 * @param group codebook group
 * @param scale positive, finite divisor applied to the tensor's values
 * @param elements elements of the tensor, ≥ 0
 */
public record AqTensor(int group, float scale, long elements) implements Serializable {
  public AqTensor {
    if (!(scale > 0) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("aq scale must be finite and > 0, got " + scale);
    }
  }

  /** Subvectors of d: ⌈elements / d⌉, the tail zero-padded. */
  public long subvectors(int d) {
    return (elements + d - 1) / d;
  }

  /** The values divided by the scale, zero-padded to whole subvectors of d. */
  public float[] subvectors(float[] values, int d) {
    float[] x = new float[(values.length + d - 1) / d * d];
    float inv = 1f / scale;
    for (int i = 0; i < values.length; i++) {
      x[i] = values[i] * inv;
    }
    return x;
  }
}
