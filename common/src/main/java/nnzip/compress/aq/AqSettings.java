package nnzip.compress.aq;

import java.io.Serializable;
import nnzip.codec.aq.AqParams;

/**
 * The aq part of a recipe as typed values (defaults in conf/reference.conf, key {@code aq}).
 *
 * @param params subvector dimension, codebooks, bits per codebook, beam, rounds, ridge, seed
 * @param shared true: one set of codebooks for every tensor (aq.scope = global); false: per tensor
 * @param normalize divide each tensor by its RMS before pooling, so layers of different scales share
 * @param tolerance stop when a round improves the pooled relative MSE by less than this fraction (≥ 0)
 * @param halfCodebooks store codebooks as F16 (codes are chosen for the rounded codebooks) instead of F32
 */
public record AqSettings(AqParams params, boolean shared, boolean normalize, double tolerance, boolean halfCodebooks)
    implements Serializable {
  public AqSettings {
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("aq.tolerance must be finite and ≥ 0, got " + tolerance);
    }
  }
}
