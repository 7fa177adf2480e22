package nnzip.graph;

/** How mode-dependent operators behave in an imported graph. */
public enum GraphMode {
  /** BatchNormalization uses its running statistics; Dropout is the identity. */
  INFERENCE,
  /**
   * BatchNormalization normalizes by the statistics of the batch and exposes them (see {@link
   * ImportedGraph#batchNorms()}) so the trainer can update the running statistics; Dropout is the
   * identity (nnzip does not apply dropout while training).
   */
  TRAINING
}
