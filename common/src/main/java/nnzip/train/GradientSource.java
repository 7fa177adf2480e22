package nnzip.train;

import java.util.List;

/** Computes chunk gradients for given parameter values: in this JVM, or on executors. */
public interface GradientSource {
  /**
   * The gradient of each chunk, in the order given.
   *
   * @param params current values of the trainable parameters
   * @param chunks example indices of each chunk, into the training set
   */
  List<ChunkGradient> gradients(ParameterValues params, List<int[]> chunks);
}
