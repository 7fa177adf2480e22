package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdditiveQuantizerTrainerTest {

  @Test
  void theSameSeedGivesIdenticalCodebooks() {
    float[] x = Fixtures.gaussian(3000, 4, 1);
    AqParams p = new AqParams(4, 2, 5, 4, 3, 0, 42);
    AqTraining a = AdditiveQuantizerTrainer.train(x, 3000, p);
    AqTraining b = AdditiveQuantizerTrainer.train(x, 3000, p);
    assertEquals(a.quantizer().codebooks(), b.quantizer().codebooks());
    assertEquals(a.finalRelativeMse(), b.finalRelativeMse());
    AqTraining other = AdditiveQuantizerTrainer.train(x, 3000, p.withSeed(43));
    assertTrue(!a.quantizer().codebooks().equals(other.quantizer().codebooks()));
  }

  @Test
  void twoBitsPerWeightOnGaussianDataBeatsFaissResidualQuantizer() {
    // Smaller than the 131,072-subvector benchmark (AqTiming measures that one); K = 256.
    int n = 32_768;
    float[] x = Fixtures.gaussian(n, 8, 2);
    AqTraining t = AdditiveQuantizerTrainer.train(x, n, new AqParams(8, 2, 8, 8, 3, 0, 3));
    List<IterationStats> stats = t.stats();
    assertEquals(4, stats.size());
    for (int r = 0; r < stats.size(); r++) {
      assertEquals(r, stats.get(r).round());
    }
    assertTrue(t.finalRelativeMse() < stats.get(0).relativeMse(), stats.toString());
    assertTrue(t.finalRelativeMse() < 0.0951, stats.toString());
    // The stats' error is the quantizer's error on the training data.
    Encoding enc = t.quantizer().encode(x, n);
    double spread = AdditiveQuantizerTrainer.centredSquares(x, n, 8);
    assertEquals(t.finalRelativeMse(), enc.totalError() / spread, 1e-12);
  }

  @Test
  void moreBitsGiveALowerError() {
    float[] x = Fixtures.gaussian(4000, 4, 4);
    double previous = Double.POSITIVE_INFINITY;
    for (int bits = 1; bits <= 5; bits++) {
      double e = AdditiveQuantizerTrainer.train(x, 4000, new AqParams(4, 2, bits, 4, 2, 0, 5))
          .finalRelativeMse();
      assertTrue(e < previous, bits + " bits: " + e + " ≥ " + previous);
      previous = e;
    }
  }

  @Test
  void theQuantizerDecodesItsOwnCodes() {
    float[] x = Fixtures.gaussian(1000, 8, 6);
    AdditiveQuantizer q = AdditiveQuantizerTrainer.train(x, 1000, new AqParams(8, 3, 4, 2, 1, 0, 7))
        .quantizer();
    Encoding enc = q.encode(x, 1000);
    float[] out = new float[8000];
    q.decode(enc.codes(), 1000, out);
    double e = 0;
    for (int i = 0; i < 8000; i++) {
      e += (x[i] - out[i]) * (double) (x[i] - out[i]);
    }
    assertEquals(enc.totalError(), e, 1e-9 * e);
    int[] codes = new int[3000];
    assertEquals(enc.totalError(), q.encode(x, 1000, codes, null), 1e-9 * e);
    assertArrayEquals(enc.codes(), codes);
  }
}
