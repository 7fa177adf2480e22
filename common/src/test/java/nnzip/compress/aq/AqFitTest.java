package nnzip.compress.aq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import nnzip.codec.Scope;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.AqTraining;
import nnzip.codec.aq.Encoding;
import nnzip.codec.aq.IterationStats;
import nnzip.tensor.DType;
import org.junit.jupiter.api.Test;

/** The one aq round loop, run on one machine: quality against Faiss's figure, determinism, honest stats. */
class AqFitTest {
  /** The settings of reference.conf's aq section that the loop reads, with these params. */
  private static AqSettings settings(AqParams p) {
    return new AqSettings(p, Scope.GLOBAL, AqSettings.Normalization.NONE, 0, DType.F32, 2);
  }

  private static AqTraining train(float[] x, int n, AqParams p) {
    return AqFit.train(x, n, settings(p));
  }

  /** n × d standard Gaussian values. */
  private static float[] gaussian(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      double u = r.nextDouble();
      double v = r.nextDouble();
      x[i] = (float) (Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v));
    }
    return x;
  }

  /** Σ_i ‖x_i − mean‖², two passes in double. */
  private static double centredSquares(float[] x, int n, int d) {
    double[] mean = new double[d];
    for (int i = 0; i < n * d; i++) {
      mean[i % d] += x[i] / (double) n;
    }
    double s = 0;
    for (int i = 0; i < n * d; i++) {
      double r = x[i] - mean[i % d];
      s += r * r;
    }
    return s;
  }

  @Test
  void theSameSeedGivesIdenticalCodebooks() {
    float[] x = gaussian(3000, 4, 1);
    AqParams p = new AqParams(4, 2, 5, 4, 3, 0, 42);
    AqTraining a = train(x, 3000, p);
    AqTraining b = train(x, 3000, p);
    assertEquals(a.quantizer().codebooks(), b.quantizer().codebooks());
    assertEquals(a.finalRelativeMse(), b.finalRelativeMse());
    AqTraining other = train(x, 3000, p.withSeed(43));
    assertTrue(!a.quantizer().codebooks().equals(other.quantizer().codebooks()));
  }

  @Test
  void twoBitsPerWeightOnGaussianDataBeatsFaissResidualQuantizer() {
    // Smaller than the 131,072-subvector benchmark (AqTiming measures that one); K = 256.
    int n = 32_768;
    float[] x = gaussian(n, 8, 2);
    AqTraining t = train(x, n, new AqParams(8, 2, 8, 8, 3, 0, 3));
    List<IterationStats> stats = t.stats();
    assertEquals(4, stats.size());
    for (int r = 0; r < stats.size(); r++) {
      assertEquals(r, stats.get(r).round());
    }
    assertTrue(t.finalRelativeMse() < stats.get(0).relativeMse(), stats.toString());
    assertTrue(t.finalRelativeMse() < 0.0951, stats.toString());
    // The stats' error is the quantizer's error on the training data.
    Encoding enc = t.quantizer().encode(x, n);
    double spread = centredSquares(x, n, 8);
    // The loop's error comes from the normal equations (Σ‖x‖² − 2⟨C, BᵀX⟩ + ⟨C, BᵀB C⟩), which
    // cancels to about 1e-16 · Σ‖x‖²; the encoder sums residuals directly.
    assertEquals(t.finalRelativeMse(), enc.totalError() / spread, 1e-9);
  }

  @Test
  void moreBitsGiveALowerError() {
    float[] x = gaussian(4000, 4, 4);
    double previous = Double.POSITIVE_INFINITY;
    for (int bits = 1; bits <= 5; bits++) {
      double e = train(x, 4000, new AqParams(4, 2, bits, 4, 2, 0, 5))
          .finalRelativeMse();
      assertTrue(e < previous, bits + " bits: " + e + " ≥ " + previous);
      previous = e;
    }
  }

  @Test
  void theQuantizerDecodesItsOwnCodes() {
    float[] x = gaussian(1000, 8, 6);
    AdditiveQuantizer q = train(x, 1000, new AqParams(8, 3, 4, 2, 1, 0, 7))
        .quantizer();
    Encoding enc = q.encode(x, 1000);
    float[] out = new float[8000];
    q.decode(enc.codes(), 1000, out);
    double e = 0;
    for (int i = 0; i < 8000; i++) {
      e += (x[i] - out[i]) * (double) (x[i] - out[i]);
    }
    // The encoder sums the codewords in float in its own order; decode in another: float rounding.
    assertEquals(enc.totalError(), e, 1e-6 * e);
    int[] codes = new int[3000];
    assertEquals(enc.totalError(), q.encode(x, 1000, codes, null), 1e-9 * e);
    assertArrayEquals(enc.codes(), codes);
  }
}
