package nnzip.prune.dirichlet;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.math3.special.Gamma;

/**
 * The gates of one layer's C channels (Adamczewski and Park, "Dirichlet Pruning"): parameters
 * p ∈ R^C, concentrations φ = softplus(p), gates g = φ/Σφ (the point estimate, at evaluation) or
 * g ~ Dir(φ) drawn as normalized Gamma(φ_c, 1) samples at given uniforms (training, see
 * {@link GammaSampler}); channel c's output is scaled by s_c = C·g_c, so uniform gates leave the
 * layer as it was. Also KL(Dir(φ) ‖ Dir(α0·1)) in closed form and its gradient. Stateless; all
 * arrays have length C unless said otherwise.
 */
public final class DirichletGate {
  private DirichletGate() {}

  /** softplus(p) = ln(1 + e^p), without overflow. */
  public static double softplus(double p) {
    return p > 30 ? p : Math.log1p(Math.exp(p));
  }

  /** The p whose softplus is φ &gt; 0 (the inverse, for initial values). */
  public static double inverseSoftplus(double phi) {
    if (!(phi > 0)) {
      throw new IllegalArgumentException("a concentration must be > 0, got " + phi);
    }
    return phi > 30 ? phi : Math.log(Math.expm1(phi));
  }

  /** The concentrations φ = softplus(p). */
  public static double[] concentrations(float[] p) {
    double[] phi = new double[p.length];
    for (int c = 0; c < p.length; c++) {
      phi[c] = softplus(p[c]);
    }
    return phi;
  }

  /**
   * The channel scales s = C·g.
   *
   * @param p gate parameters, length C
   * @param u per channel a CDF value in (0, 1) to sample g ~ Dir(φ) at, or null for the point
   *     estimate g = φ/Σφ
   */
  public static double[] scales(float[] p, double[] u) {
    double[] g = u == null ? pointEstimate(p) : sample(p, u);
    for (int c = 0; c < g.length; c++) {
      g[c] *= g.length;
    }
    return g;
  }

  /** The point estimate g = φ/Σφ, the mean of Dir(φ). */
  public static double[] pointEstimate(float[] p) {
    double[] phi = concentrations(p);
    double sum = 0;
    for (double v : phi) {
      sum += v;
    }
    for (int c = 0; c < phi.length; c++) {
      phi[c] /= sum;
    }
    return phi;
  }

  /** g ~ Dir(φ) at the uniforms u: softmax of ln z_c, z_c = P⁻¹(φ_c, u_c). */
  static double[] sample(float[] p, double[] u) {
    requireLength(u, p.length);
    double[] logZ = logSamples(concentrations(p), u);
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logZ) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] g = new double[logZ.length];
    for (int c = 0; c < g.length; c++) {
      g[c] = Math.exp(logZ[c] - max);
      sum += g[c];
    }
    for (int c = 0; c < g.length; c++) {
      g[c] /= sum;
    }
    return g;
  }

  /**
   * ln z_c = ln P⁻¹(φ_c, u_c). Each Gamma inversion is an iterative solve, and one training step
   * asks for the same (φ, u) once per gated tensor in the forward pass and again in the backward
   * pass, so each thread keeps its last few answers (keyed by the exact values, so a hit returns what
   * a recomputation would).
   */
  private static double[] logSamples(double[] phi, double[] u) {
    SampleKey key = new SampleKey(phi, u);
    Map<SampleKey, double[]> cache = RECENT_SAMPLES.get();
    double[] hit = cache.get(key);
    if (hit != null) {
      return hit.clone();
    }
    double[] logZ = new double[phi.length];
    for (int c = 0; c < phi.length; c++) {
      logZ[c] = GammaSampler.logSample(phi[c], u[c]);
    }
    cache.put(key, logZ.clone());
    return logZ;
  }

  /** The exact inputs of a sample, compared by value. */
  private record SampleKey(double[] phi, double[] u) {
    SampleKey {
      phi = phi.clone();
      u = u.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SampleKey k && Arrays.equals(phi, k.phi) && Arrays.equals(u, k.u);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(phi) + Arrays.hashCode(u);
    }
  }

  /** Per thread, the samples of the last few (φ, u): enough for every gate of a network in one step. */
  private static final ThreadLocal<Map<SampleKey, double[]>> RECENT_SAMPLES = ThreadLocal.withInitial(
      () -> new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<SampleKey, double[]> e) {
          return size() > 32;
        }
      });

  /**
   * dL/dp from dL/ds for the scales {@link #scales(float[], double[])} gave at the same (p, u):
   * through the normalization, the implicit reparameterization of each Gamma sample (or the
   * point estimate's quotient) and the softplus.
   *
   * @param dScale dL/ds_c, length C
   * @param into dL/dp is added here, length ≥ C
   */
  public static void addGradient(float[] p, double[] u, double[] dScale, float[] into) {
    int n = p.length;
    requireLength(dScale, n);
    double[] phi = concentrations(p);
    double[] g;
    double[] dLogZdPhi = new double[n];
    if (u == null) {
      g = pointEstimate(p);
      // g = φ/Σφ is the softmax of ln φ: d ln φ_c/dφ_c = 1/φ_c.
      for (int c = 0; c < n; c++) {
        dLogZdPhi[c] = 1 / phi[c];
      }
    } else {
      g = sample(p, u);
      double[] logZ = logSamples(phi, u);
      for (int c = 0; c < n; c++) {
        dLogZdPhi[c] = GammaSampler.logSampleDerivative(phi[c], logZ[c]);
      }
    }
    // s = C·softmax(ℓ): dL/dℓ_k = C·g_k·(dL/ds_k − Σ_c g_c dL/ds_c).
    double mean = 0;
    for (int c = 0; c < n; c++) {
      mean += g[c] * dScale[c];
    }
    for (int k = 0; k < n; k++) {
      double dLogZ = n * g[k] * (dScale[k] - mean);
      into[k] += (float) (dLogZ * dLogZdPhi[k] * sigmoid(p[k]));
    }
  }

  /**
   * KL(Dir(φ) ‖ Dir(α0, …, α0)) = lnΓ(Φ) − Σ lnΓ(φ_c) − lnΓ(Cα0) + C·lnΓ(α0)
   * + Σ (φ_c − α0)(ψ(φ_c) − ψ(Φ)), Φ = Σφ.
   *
   * @param alpha0 the prior's concentration, &gt; 0
   */
  public static double kl(float[] p, double alpha0) {
    double[] phi = concentrations(p);
    double total = 0;
    for (double v : phi) {
      total += v;
    }
    int n = phi.length;
    double psiTotal = Gamma.digamma(total);
    double kl = Gamma.logGamma(total) - Gamma.logGamma(n * alpha0) + n * Gamma.logGamma(alpha0);
    for (double v : phi) {
      kl += -Gamma.logGamma(v) + (v - alpha0) * (Gamma.digamma(v) - psiTotal);
    }
    return kl;
  }

  /**
   * Adds weight · dKL/dp into {@code into}: dKL/dφ_k = (φ_k − α0)ψ′(φ_k) − (Φ − Cα0)ψ′(Φ), times
   * softplus′(p_k) = σ(p_k).
   */
  public static void addKlGradient(float[] p, double alpha0, double weight, float[] into) {
    double[] phi = concentrations(p);
    double total = 0;
    for (double v : phi) {
      total += v;
    }
    double common = (total - phi.length * alpha0) * Gamma.trigamma(total);
    for (int k = 0; k < phi.length; k++) {
      double d = (phi[k] - alpha0) * Gamma.trigamma(phi[k]) - common;
      into[k] += (float) (weight * d * sigmoid(p[k]));
    }
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  private static void requireLength(double[] a, int n) {
    if (a.length != n) {
      throw new IllegalArgumentException("expected " + n + " values (one per channel), got " + a.length);
    }
  }
}
