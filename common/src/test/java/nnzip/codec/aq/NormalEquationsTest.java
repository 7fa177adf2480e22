package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormalEquationsTest {
  private static final int M = 3;
  private static final int K = 8;
  private static final int D = 4;

  @Test
  void gramAndProjectionAreThoseOfTheOneHotMatrix() {
    int n = 200;
    int[] codes = Fixtures.randomCodes(n, M, K, 1);
    float[] x = Fixtures.gaussian(n, D, 2);
    NormalEquations sums = new NormalEquations(M, K, D).add(codes, x, n);
    double[][] b = new double[n][M * K];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < M; c++) {
        b[i][c * K + codes[i * M + c]] = 1;
      }
    }
    for (int r = 0; r < M * K; r++) {
      for (int s = 0; s < M * K; s++) {
        double g = 0;
        for (int i = 0; i < n; i++) {
          g += b[i][r] * b[i][s];
        }
        assertEquals(g, sums.gram(r / K, r % K, s / K, s % K), "BᵀB at " + r + ", " + s);
      }
      for (int t = 0; t < D; t++) {
        double p = 0;
        for (int i = 0; i < n; i++) {
          p += b[i][r] * x[i * D + t];
        }
        assertEquals(p, sums.projection(r / K, r % K, t), 1e-12);
      }
    }
    assertEquals(n, sums.count());
  }

  @Test
  void mergingAnySplitInAnyOrderEqualsOnePass() {
    int n = 1000;
    int[] codes = Fixtures.randomCodes(n, M, K, 3);
    float[] x = Fixtures.gaussian(n, D, 4);
    NormalEquations whole = new NormalEquations(M, K, D).add(codes, x, n);
    SplittableRandom r = new SplittableRandom(5);
    for (int trial = 0; trial < 10; trial++) {
      int parts = 1 + r.nextInt(8);
      int[] cuts = new int[parts + 1];
      for (int p = 1; p < parts; p++) {
        cuts[p] = r.nextInt(n + 1);
      }
      cuts[parts] = n;
      Arrays.sort(cuts);
      NormalEquations[] pieces = new NormalEquations[parts];
      for (int p = 0; p < parts; p++) {
        int from = cuts[p];
        int len = cuts[p + 1] - from;
        pieces[p] = new NormalEquations(M, K, D).add(
            Arrays.copyOfRange(codes, from * M, (from + len) * M),
            Arrays.copyOfRange(x, from * D, (from + len) * D), len);
      }
      NormalEquations merged = new NormalEquations(M, K, D);
      for (int p = parts - 1; p >= 0; p--) { // reverse order
        merged.merge(pieces[p]);
      }
      assertEquals(whole.count(), merged.count());
      assertEquals(whole.sumSquares(), merged.sumSquares(), 1e-12 * whole.sumSquares());
      for (int a = 0; a < M; a++) {
        for (int i = 0; i < K; i++) {
          for (int b = 0; b < M; b++) {
            for (int j = 0; j < K; j++) {
              assertEquals(whole.gram(a, i, b, j), merged.gram(a, i, b, j));
            }
          }
          for (int t = 0; t < D; t++) {
            double w = whole.projection(a, i, t);
            assertEquals(w, merged.projection(a, i, t), 1e-12 * (1 + Math.abs(w)));
          }
        }
      }
    }
  }

  @Test
  void squaredErrorFromTheSumsMatchesTheDirectError() {
    int n = 500;
    int[] codes = Fixtures.randomCodes(n, M, K, 6);
    float[] x = Fixtures.gaussian(n, D, 7);
    Codebooks books = Fixtures.randomBooks(M, K, D, 0.5, 8);
    NormalEquations sums = new NormalEquations(M, K, D).add(codes, x, n);
    double direct = Fixtures.error(books, codes, x, n);
    assertEquals(direct, sums.squaredError(books), 1e-9 * direct);
  }

  @Test
  void centredSumOfSquaresMatchesATwoPassSum() {
    int n = 700;
    float[] x = Fixtures.gaussian(n, D, 9);
    for (int i = 0; i < x.length; i++) {
      x[i] += 0.5f * (i % D);
    }
    NormalEquations sums = new NormalEquations(M, K, D).add(Fixtures.randomCodes(n, M, K, 10), x, n);
    double expected = centredSquares(x, n, D);
    assertEquals(expected, sums.centredSumSquares(), 1e-10 * expected);
    assertEquals(0, new NormalEquations(M, K, D).centredSumSquares());
  }

  /** Σ_i ‖x_i − mean‖² in double, two passes: the obvious reference. */
  static double centredSquares(float[] x, int n, int d) {
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) {
        mean[t] += x[i * d + t] / (double) n;
      }
    }
    double s = 0;
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) {
        double r = x[i * d + t] - mean[t];
        s += r * r;
      }
    }
    return s;
  }
}
