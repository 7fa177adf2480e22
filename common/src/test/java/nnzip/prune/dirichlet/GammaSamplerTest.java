package nnzip.prune.dirichlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

/** Inversion of the Gamma CDF and its implicit reparameterization gradient. */
class GammaSamplerTest {
  private static final double[] SHAPES = {0.02, 0.15, 0.6, 1, 2.5, 9, 60};
  private static final double[] UNIFORMS = {1e-7, 1e-3, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999, 1 - 1e-6};

  @Test
  void sampleIsTheCdfInverse() {
    for (double a : SHAPES) {
      for (double u : UNIFORMS) {
        double logZ = GammaSampler.logSample(a, u);
        if (logZ < -700) {
          // z underflows a double; P(a, z) = z^a/Γ(a+1)·(1 + O(z)), so ln u = a ln z − lnΓ(a+1).
          assertEquals(Math.log(u), a * logZ - Gamma.logGamma(a + 1), 1e-9 * Math.abs(Math.log(u)), "a=" + a);
          continue;
        }
        double z = Math.exp(logZ);
        double p = u <= 0.5 ? Gamma.regularizedGammaP(a, z) : 1 - Gamma.regularizedGammaQ(a, z);
        assertEquals(u, p, 1e-9 * Math.max(1, 1 / Math.min(u, 1 - u)) * Math.min(u, 1 - u) + 1e-12,
            "P(a, z) at a=" + a + ", u=" + u);
      }
    }
  }

  /** Commons Math's own inverse (a bracketing solver) as a second implementation. */
  @Test
  void sampleMatchesCommonsMathsInverse() {
    for (double a : new double[] {0.6, 1, 2.5, 9, 60}) {
      GammaDistribution d = new GammaDistribution(null, a, 1, 1e-12);
      for (double u : new double[] {0.05, 0.3, 0.5, 0.7, 0.95}) {
        double expected = d.inverseCumulativeProbability(u);
        assertEquals(expected, Math.exp(GammaSampler.logSample(a, u)), 1e-8 * (1 + expected), "a=" + a + ", u=" + u);
      }
    }
  }

  /** d ln z/da at fixed u against central differences of the sample itself, on every branch. */
  @Test
  void derivativeMatchesFiniteDifferencesOfTheSample() {
    for (double a : SHAPES) {
      for (double u : UNIFORMS) {
        double h = 1e-5 * a;
        double fd = (GammaSampler.logSample(a + h, u) - GammaSampler.logSample(a - h, u)) / (2 * h);
        double d = GammaSampler.logSampleDerivative(a, GammaSampler.logSample(a, u));
        assertEquals(fd, d, 1e-5 * (1 + Math.abs(fd)), "a=" + a + ", u=" + u);
      }
    }
  }

  /** Inverse-CDF samples at stratified uniforms have the Gamma(a) mean and variance, a and a. */
  @Test
  void stratifiedSamplesHaveGammaMoments() {
    int n = 20_000;
    for (double a : new double[] {0.3, 1.7, 12}) {
      double sum = 0;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        double z = Math.exp(GammaSampler.logSample(a, (i + 0.5) / n));
        sum += z;
        sq += z * z;
      }
      double mean = sum / n;
      assertEquals(a, mean, 0.01 * a, "mean at a=" + a);
      assertEquals(a, sq / n - mean * mean, 0.03 * a, "variance at a=" + a);
    }
  }
}
