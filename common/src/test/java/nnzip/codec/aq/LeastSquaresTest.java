package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LeastSquaresTest {

  /** (BᵀB + λI) C = BᵀX + λ C_prev built from the one-hot matrix and solved by elimination. */
  private static double[][] bruteForce(int[] codes, float[] x, int n, Codebooks prev, double lambda) {
    int m = prev.codebooks();
    int k = prev.codewords();
    int d = prev.dim();
    double[][] a = new double[m * k][m * k];
    double[][] r = new double[m * k][d];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < m; c++) {
        int row = c * k + codes[i * m + c];
        for (int c2 = 0; c2 < m; c2++) {
          a[row][c2 * k + codes[i * m + c2]] += 1;
        }
        for (int t = 0; t < d; t++) {
          r[row][t] += x[i * d + t];
        }
      }
    }
    for (int row = 0; row < m * k; row++) {
      a[row][row] += lambda;
      for (int t = 0; t < d; t++) {
        r[row][t] += lambda * prev.value(row / k, row % k, t);
      }
    }
    return Fixtures.gauss(a, r);
  }

  @Test
  void equalsABruteForceSolveOfTheRidgeSystem() {
    int n = 400;
    Codebooks prev = Fixtures.randomBooks(3, 8, 4, 0.5, 1);
    int[] codes = Fixtures.randomCodes(n, 3, 8, 2);
    float[] x = Fixtures.gaussian(n, 4, 3);
    for (double lambda : new double[] {0.5, 3, 40}) {
      NormalEquations sums = NormalEquations.like(prev).add(codes, x, n);
      Codebooks solved = LeastSquares.solve(sums, lambda, prev);
      double[][] expected = bruteForce(codes, x, n, prev, lambda);
      for (int r = 0; r < 24; r++) {
        for (int t = 0; t < 4; t++) {
          assertEquals(expected[r][t], solved.value(r / 8, r % 8, t), 1e-6 * (1 + Math.abs(expected[r][t])),
              "λ=" + lambda + " row " + r);
        }
      }
    }
  }

  @Test
  void withoutRidgeTheNormalEquationsHold() {
    int n = 1000;
    Codebooks prev = Fixtures.randomBooks(2, 16, 8, 0.5, 4);
    int[] codes = Fixtures.randomCodes(n, 2, 16, 5);
    float[] x = Fixtures.gaussian(n, 8, 6);
    NormalEquations sums = NormalEquations.like(prev).add(codes, x, n);
    Codebooks c = LeastSquares.solve(sums, 0, prev);
    // BᵀB C − BᵀX = 0 row by row (the gradient of ‖X − BC‖²), relative to the row's usage.
    for (int a = 0; a < 2; a++) {
      for (int i = 0; i < 16; i++) {
        for (int t = 0; t < 8; t++) {
          double g = -sums.projection(a, i, t);
          for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 16; j++) {
              g += sums.gram(a, i, b, j) * c.value(b, j, t);
            }
          }
          assertEquals(0, g, 1e-3 * sums.usage(a, i), "row (" + a + ", " + i + ") column " + t);
        }
      }
    }
  }

  @Test
  void aSingleCodebookGetsClusterMeans() {
    int n = 300;
    Codebooks prev = Fixtures.randomBooks(1, 5, 4, 1, 7);
    int[] codes = Fixtures.randomCodes(n, 1, 5, 8);
    float[] x = Fixtures.gaussian(n, 4, 9);
    Codebooks c = LeastSquares.solve(NormalEquations.like(prev).add(codes, x, n), 0, prev);
    for (int j = 0; j < 5; j++) {
      for (int t = 0; t < 4; t++) {
        double s = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
          if (codes[i] == j) {
            s += x[i * 4 + t];
            count++;
          }
        }
        assertEquals(s / count, c.value(0, j, t), 1e-5);
      }
    }
  }

  @Test
  void unusedCodewordsKeepTheirPreviousValues() {
    Codebooks prev = Fixtures.randomBooks(2, 8, 4, 1, 10);
    int n = 200;
    int[] codes = Fixtures.randomCodes(n, 2, 8, 11);
    for (int i = 0; i < n; i++) {
      codes[2 * i] %= 5; // codewords 5..7 of codebook 0 unused
    }
    float[] x = Fixtures.gaussian(n, 4, 12);
    for (double lambda : new double[] {0, 2}) {
      Codebooks c = LeastSquares.solve(NormalEquations.like(prev).add(codes, x, n), lambda, prev);
      for (int j = 5; j < 8; j++) {
        for (int t = 0; t < 4; t++) {
          assertEquals(prev.value(0, j, t), c.value(0, j, t));
        }
      }
    }
  }

  @Test
  void eachUpdateDoesNotIncreaseTheErrorForTheSameCodes() {
    float[] x = Fixtures.gaussian(4000, 8, 13);
    for (double lambda : new double[] {0, 1, 100}) {
      Codebooks books = Fixtures.randomBooks(3, 16, 8, 0.5, 14);
      int[] codes = new int[4000 * 3];
      for (int round = 0; round < 6; round++) {
        new BeamEncoder(books, 4).encode(x, 4000, codes, null);
        double before = Fixtures.error(books, codes, x, 4000);
        books = LeastSquares.solve(NormalEquations.like(books).add(codes, x, 4000), lambda, books);
        double after = Fixtures.error(books, codes, x, 4000);
        assertTrue(after <= before * (1 + 1e-6), "λ=" + lambda + " round " + round + ": " + after + " > " + before);
      }
    }
  }
}
