package nnzip.prune.dirichlet;

/**
 * How Dirichlet gates train (defaults live in conf/reference.conf, not here).
 *
 * @param alpha0 the prior Dir(α0·1)'s concentration, finite and &gt; 0 (below 1 favours sparse gates)
 * @param klWeight λ in loss = mean cross entropy + λ·Σ_layers KL(Dir(φ) ‖ Dir(α0)), finite and ≥ 0
 *     (the variational bound's weight is 1/(training examples))
 * @param initialConcentration φ of every channel at the start, finite and &gt; 0 (uniform gates)
 * @param seed seed of the gate noise: step s of epoch e draws layer l's uniforms from (seed, e, s, l)
 */
public record GateSettings(double alpha0, double klWeight, double initialConcentration, long seed)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks every range. */
  public GateSettings {
    if (!(alpha0 > 0 && Double.isFinite(alpha0))) {
      throw new IllegalArgumentException("dirichlet alpha0 must be finite and > 0, got " + alpha0);
    }
    if (!(klWeight >= 0 && Double.isFinite(klWeight))) {
      throw new IllegalArgumentException("dirichlet kl-weight must be finite and ≥ 0, got " + klWeight);
    }
    if (!(initialConcentration > 0 && Double.isFinite(initialConcentration))) {
      throw new IllegalArgumentException("dirichlet initial concentration must be finite and > 0, got "
          + initialConcentration);
    }
  }
}
