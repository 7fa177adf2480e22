package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResidualKMeansTest {

  @Test
  void findsWellSeparatedClusters() {
    // 4 clusters at (±10, ±10) with unit noise: one codebook of 4 centroids recovers the centres.
    SplittableRandom r = new SplittableRandom(1);
    int n = 2000;
    float[] x = new float[2 * n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = (float) ((i % 2 == 0 ? 10 : -10) + Fixtures.normal(r));
      x[2 * i + 1] = (float) ((i % 4 < 2 ? 10 : -10) + Fixtures.normal(r));
    }
    Codebooks books = ResidualKMeans.fit(x, n, 2, 1, 4, 20, 2);
    for (int j = 0; j < 4; j++) {
      assertEquals(10, Math.abs(books.value(0, j, 0)), 0.2);
      assertEquals(10, Math.abs(books.value(0, j, 1)), 0.2);
    }
  }

  @Test
  void eachStageLowersTheError() {
    float[] x = Fixtures.gaussian(3000, 4, 3);
    double previous = Double.POSITIVE_INFINITY;
    for (int m = 1; m <= 4; m++) {
      Codebooks books = ResidualKMeans.fit(x, 3000, 4, m, 16, 10, 4);
      double e = new BeamEncoder(books, 1).encode(x, 3000).totalError();
      assertTrue(e < previous, "M=" + m + ": " + e + " ≥ " + previous);
      previous = e;
    }
  }

  @Test
  void isDeterministicForASeedAndHandlesFewerPointsThanCodewords() {
    float[] x = Fixtures.gaussian(500, 8, 5);
    assertEquals(ResidualKMeans.fit(x, 500, 8, 2, 32, 5, 6), ResidualKMeans.fit(x, 500, 8, 2, 32, 5, 6));
    Codebooks tiny = ResidualKMeans.fit(x, 3, 8, 2, 8, 5, 7);
    assertEquals(0, new BeamEncoder(tiny, 1).encode(x, 3).totalError(), 1e-9);
  }
}
