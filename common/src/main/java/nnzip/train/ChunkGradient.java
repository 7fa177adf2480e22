package nnzip.train;

import java.util.List;

/**
 * What one chunk of examples contributes to a training step.
 *
 * @param gradients gradient of the summed loss per trainable parameter, in the graph's order
 * @param lossSum summed cross entropy over the chunk
 * @param correct examples whose top logit was their label (before the step)
 * @param n examples in the chunk
 * @param batchStats per BatchNormalization node (TRAINING mode) its batch mean then its batch
 *     variance, per channel; empty without such nodes
 */
public record ChunkGradient(float[][] gradients, double lossSum, int correct, int n, List<float[]> batchStats)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
}
