package nnzip.compress.aq;

import java.io.Serializable;
import nnzip.compress.TensorTask;

/**
 * One tensor coded by additive quantization: its task, the codebook group it shares (0 for every
 * tensor under global scope, its own index under tensor scope), and the scale its values are
 * divided by before they join the pool (its RMS when normalizing, else 1).
 *
 * @param task the tensor task (codec field unused)
 * @param group codebook group
 * @param scale positive divisor applied to the tensor's values
 */
public record AqTensor(TensorTask task, int group, float scale) implements Serializable {
  public AqTensor {
    if (!(scale > 0) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("scale of " + task.source().spec().name() + " must be finite and > 0, got " + scale);
    }
  }
}
