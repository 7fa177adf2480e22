package nnzip.compress.aq;

import java.io.Serializable;
import nnzip.codec.Scope;
import nnzip.codec.aq.AqParams;
import nnzip.tensor.DType;

/**
 * The aq part of a recipe as typed values (defaults in conf/reference.conf, key {@code aq}; this
 * record only validates).
 *
 * @param params subvector dimension, codebooks, bits per codebook, beam, rounds, ridge, seed
 * @param scope {@link Scope#GLOBAL}: one set of codebooks for every tensor (recipe {@code aq.scope
 *     = global}); {@link Scope#TENSOR}: codebooks per tensor
 * @param normalization how each tensor is scaled before it joins the pool
 * @param tolerance stop when a round improves the pooled relative MSE by less than this fraction (≥ 0)
 * @param codebookDtype {@link DType#F32} or {@link DType#F16} (codes are then chosen for the rounded
 *     codebooks)
 * @param initLloyd Lloyd iterations per residual k-means stage over all subvectors after the
 *     sample-based start (≥ 0; 0 keeps the sample fit)
 */
public record AqSettings(AqParams params, Scope scope, Normalization normalization, double tolerance,
    DType codebookDtype, int initLloyd) implements Serializable {

  /** How a tensor's values are scaled before they join the pool of subvectors. */
  public enum Normalization {
    /** As they are. */
    NONE,
    /** Divided by the tensor's RMS, so layers of different scales share codebooks (recipe {@code aq.normalize = true}). */
    RMS
  }

  public AqSettings {
    if (scope != Scope.GLOBAL && scope != Scope.TENSOR) {
      throw new IllegalArgumentException("aq.scope must be global or tensor, got " + scope.label());
    }
    if (codebookDtype != DType.F32 && codebookDtype != DType.F16) {
      throw new IllegalArgumentException("aq.codebook-dtype must be f32 or f16, got " + codebookDtype);
    }
    if (initLloyd < 0) {
      throw new IllegalArgumentException("aq.init-lloyd must be ≥ 0, got " + initLloyd);
    }
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("aq.tolerance must be finite and ≥ 0, got " + tolerance);
    }
  }
}
