package nnzip.prune.dirichlet;

import org.apache.commons.math3.special.Gamma;

/**
 * Gamma(a, 1) samples by inversion of the CDF, z = P⁻¹(a, u) for a uniform u, with the implicit
 * reparameterization gradient of Figurnov et al. (2018), dz/da = −(∂P/∂a)(a, z) / p(z; a) at fixed
 * u. Inversion is chosen over Marsaglia–Tsang with shape augmentation (Naesseth et al. 2017)
 * because its gradient is exact rather than biased by a dropped rejection correction, and because
 * the noise is then exactly one uniform per channel that does not depend on a: a sample is a smooth
 * function of (a, u), checkable by finite differences. Everything is in log space (ln z), so shapes
 * far below 1, whose samples underflow a double, still give gates and gradients.
 */
public final class GammaSampler {
  /** Below this ln z, P(a, z) = z^a/Γ(a+1) to double precision and the inverse is closed form. */
  private static final double SMALL_LOG = -40;
  private static final double EPS = 1e-15;
  private static final int MAX_TERMS = 100_000;

  private GammaSampler() {}

  /**
   * ln z of the sample of Gamma(a, 1) at CDF value u.
   *
   * @param a shape, finite and &gt; 0
   * @param u CDF value, in (0, 1)
   */
  public static double logSample(double a, double u) {
    check(a, u);
    double small = (Math.log(u) + Gamma.logGamma(a + 1)) / a;
    if (small < SMALL_LOG) {
      return small;
    }
    // Safeguarded Newton on t = ln z: P is increasing in t with derivative z·p(z; a).
    double lo = SMALL_LOG - 1;
    double hi = Math.log(a + 40 + 40 * Math.sqrt(a));
    while (residual(a, u, hi) < 0) {
      hi += 1;
    }
    double t = Math.min(Math.max(small, lo), hi);
    for (int i = 0; i < 200; i++) {
      double r = residual(a, u, t);
      if (r == 0) {
        return t;
      }
      if (r < 0) {
        lo = t;
      } else {
        hi = t;
      }
      double slope = Math.exp(a * t - Math.exp(t) - Gamma.logGamma(a));
      double next = t - r / slope;
      if (!(next > lo && next < hi) || slope == 0) {
        next = 0.5 * (lo + hi);
      }
      if (Math.abs(next - t) < 1e-13 * Math.max(1, Math.abs(t))) {
        return next;
      }
      t = next;
    }
    return t;
  }

  /**
   * d ln z / da at fixed u for the sample z = exp(logZ) of Gamma(a, 1): −(∂P/∂a)(a, z) / (z·p(z; a)).
   * Below z &lt; a + 1 from the series P = z^a e^−z Σ z^n/Γ(a+n+1), term by term; above it from
   * Q = z^a e^−z/Γ(a) · K(a, z) with K the continued fraction of Numerical Recipes' gcf, whose
   * a-derivative is taken by central differences (K is smooth and evaluated to 1e−15).
   */
  public static double logSampleDerivative(double a, double logZ) {
    if (logZ < SMALL_LOG) {
      return (Gamma.digamma(a + 1) - logZ) / a;
    }
    double z = Math.exp(logZ);
    if (z < a + 1) {
      // −Σ c_n (ln z − ψ(a+n+1)) with c_0 = 1/a, c_n = c_{n−1}·z/(a+n): the z^a e^−z/Γ(a) factor cancels.
      double c = 1 / a;
      double psi = Gamma.digamma(a + 1);
      double sum = c * (logZ - psi);
      double mass = c;
      for (int n = 1; n < MAX_TERMS; n++) {
        c *= z / (a + n);
        psi += 1 / (a + n);
        sum += c * (logZ - psi);
        mass += c;
        if (c < EPS * mass && n > z) {
          break;
        }
      }
      return -sum;
    }
    // ∂P/∂a = −∂Q/∂a = −Q·(ln z − ψ(a) + ∂ ln K/∂a); divided by z·p = z^a e^−z/Γ(a) leaves K·(…).
    double k = fraction(a, z);
    double h = 1e-5 * Math.max(a, 1e-2);
    double dLogK = (Math.log(fraction(a + h, z)) - Math.log(fraction(a - h, z))) / (2 * h);
    return k * (logZ - Gamma.digamma(a) + dLogK);
  }

  /** P(a, z) − u, or for u &gt; ½ the same sign from (1 − u) − Q(a, z), which keeps upper-tail precision. */
  private static double residual(double a, double u, double t) {
    double z = Math.exp(t);
    return u <= 0.5 ? Gamma.regularizedGammaP(a, z, EPS, MAX_TERMS) - u
        : (1 - u) - Gamma.regularizedGammaQ(a, z, EPS, MAX_TERMS);
  }

  /** K(a, z) = Q(a, z)·Γ(a)·e^z/z^a by modified Lentz on Numerical Recipes' fraction (z ≥ a + 1). */
  static double fraction(double a, double z) {
    double tiny = 1e-300;
    double b = z + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < MAX_TERMS; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      d = Math.abs(d) < tiny ? tiny : d;
      c = b + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < EPS) {
        break;
      }
    }
    return h;
  }

  private static void check(double a, double u) {
    if (!(a > 0 && Double.isFinite(a))) {
      throw new IllegalArgumentException("gamma shape must be finite and > 0, got " + a);
    }
    if (!(u > 0 && u < 1)) {
      throw new IllegalArgumentException("CDF value must be in (0, 1), got " + u);
    }
  }
}
