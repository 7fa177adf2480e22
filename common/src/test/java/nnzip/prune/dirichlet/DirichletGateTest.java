package nnzip.prune.dirichlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

/** The gate scales, their gradients and the KL term, against closed forms and finite differences. */
class DirichletGateTest {
  private static final float[] P = {-1.2f, 0.3f, 1.5f, -0.2f, 2.4f};

  @Test
  void klIsZeroAtThePrior() {
    float p = (float) DirichletGate.inverseSoftplus(0.7);
    double alpha0 = DirichletGate.softplus(p);
    assertEquals(0, DirichletGate.kl(new float[] {p, p, p, p}, alpha0), 1e-12);
    assertTrue(DirichletGate.kl(P, alpha0) > 0.1);
  }

  /** Two channels: Dir(φ1, φ2) is Beta(φ1, φ2), whose KL has the textbook form with ln B. */
  @Test
  void twoChannelKlIsTheBetaKl() {
    float[] p = {-0.4f, 1.1f};
    double a = DirichletGate.softplus(p[0]);
    double b = DirichletGate.softplus(p[1]);
    double c = 0.6;
    double beta = Beta.logBeta(c, c) - Beta.logBeta(a, b) + (a - c) * Gamma.digamma(a) + (b - c) * Gamma.digamma(b)
        + (2 * c - a - b) * Gamma.digamma(a + b);
    assertEquals(beta, DirichletGate.kl(p, c), 1e-10);
  }

  /** The closed form against a Monte Carlo estimate of E_q[ln q − ln p] with Commons Math's Beta. */
  @Test
  void twoChannelKlMatchesMonteCarlo() {
    float[] p = {0.2f, 1.6f};
    double alpha0 = 0.5;
    BetaDistribution q = new BetaDistribution(new Well19937c(7), DirichletGate.softplus(p[0]),
        DirichletGate.softplus(p[1]));
    BetaDistribution prior = new BetaDistribution(alpha0, alpha0);
    int n = 200_000;
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < n; i++) {
      double x = q.sample();
      double v = q.logDensity(x) - prior.logDensity(x);
      sum += v;
      sq += v * v;
    }
    double mean = sum / n;
    double se = Math.sqrt((sq / n - mean * mean) / n);
    assertEquals(mean, DirichletGate.kl(p, alpha0), 4 * se);
  }

  @Test
  void klGradientMatchesFiniteDifferences() {
    double alpha0 = 0.4;
    float[] g = new float[P.length];
    DirichletGate.addKlGradient(P, alpha0, 2.0, g);
    for (int k = 0; k < P.length; k++) {
      double fd = 2.0 * centralDifference(P, k, q -> DirichletGate.kl(q, alpha0));
      assertEquals(fd, g[k], 2e-3 * (1 + Math.abs(fd)), "channel " + k);
    }
  }

  @Test
  void pointEstimateGradientMatchesFiniteDifferences() {
    assertScaleGradient(null);
  }

  /** The sample's gradient with the noise (the uniforms) held fixed. */
  @Test
  void sampleGradientMatchesFiniteDifferencesAtFixedNoise() {
    assertScaleGradient(new double[] {0.03, 0.41, 0.77, 0.5, 0.995});
    assertScaleGradient(new double[] {0.9, 0.1, 0.2, 1e-6, 0.6});
  }

  /**
   * Unbiasedness: for L = Σ w_c s_c, E[s] = C·φ/Σφ, so the mean sampled gradient must approach the
   * point estimate's gradient (Monte Carlo over seeded uniforms, 5 standard errors).
   */
  @Test
  void meanSampleGradientIsTheGradientOfTheExpectation() {
    double[] w = {0.5, -1.0, 0.25, 2.0, -0.7};
    float[] exact = new float[P.length];
    DirichletGate.addGradient(P, null, w, exact);
    int n = 40_000;
    double[] sum = new double[P.length];
    double[] sq = new double[P.length];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      double[] u = new double[P.length];
      for (int c = 0; c < u.length; c++) {
        u[c] = rng.nextInt(1, 1 << 24) * 0x1p-24;
      }
      float[] g = new float[P.length];
      DirichletGate.addGradient(P, u, w, g);
      for (int c = 0; c < P.length; c++) {
        sum[c] += g[c];
        sq[c] += (double) g[c] * g[c];
      }
    }
    for (int c = 0; c < P.length; c++) {
      double mean = sum[c] / n;
      double se = Math.sqrt((sq[c] / n - mean * mean) / n);
      assertEquals(exact[c], mean, 5 * se + 1e-4, "channel " + c);
    }
  }

  @Test
  void uniformConcentrationsLeaveTheLayerUnchanged() {
    float[] p = {0.8f, 0.8f, 0.8f};
    assertArrayEquals(new double[] {1, 1, 1}, DirichletGate.scales(p, null), 1e-12);
  }

  /** dL/dp for L = Σ_c w_c·s_c² (nonlinear in s) against central differences in p. */
  private static void assertScaleGradient(double[] u) {
    double[] w = {0.5, -1.0, 0.25, 2.0, -0.7};
    java.util.function.ToDoubleFunction<float[]> loss = q -> {
      double[] s = DirichletGate.scales(q, u);
      double l = 0;
      for (int c = 0; c < s.length; c++) {
        l += w[c] * s[c] * s[c];
      }
      return l;
    };
    double[] s = DirichletGate.scales(P, u);
    double[] dScale = new double[s.length];
    for (int c = 0; c < s.length; c++) {
      dScale[c] = 2 * w[c] * s[c];
    }
    float[] g = new float[P.length];
    DirichletGate.addGradient(P, u, dScale, g);
    for (int k = 0; k < P.length; k++) {
      double fd = centralDifference(P, k, loss);
      assertEquals(fd, g[k], 2e-3 * (1 + Math.abs(fd)), "channel " + k + (u == null ? " (point estimate)" : ""));
    }
  }

  private static double centralDifference(float[] p, int k, java.util.function.ToDoubleFunction<float[]> f) {
    float h = 1f / 256; // exact in float, so p ± h is exact for these p
    float[] up = p.clone();
    float[] down = p.clone();
    up[k] += h;
    down[k] -= h;
    return (f.applyAsDouble(up) - f.applyAsDouble(down)) / (2 * h);
  }
}
