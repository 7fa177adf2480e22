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
 * @param initLloyd Lloyd iterations per residual k-means stage over all subvectors after the
 *     sample-based start (≥ 0; 0 keeps the sample fit)
 */
public record AqSettings(AqParams params, boolean shared, boolean normalize, double tolerance, boolean halfCodebooks,
    int initLloyd) implements Serializable {
  public AqSettings {
    if (initLloyd < 0) {
      throw new IllegalArgumentException("aq.init-lloyd must be ≥ 0, got " + initLloyd);
    }
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("aq.tolerance must be finite and ≥ 0, got " + tolerance);
    }
  }
}
