package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One distributed Lloyd step of a residual k-means stage, against brute force. */
class LloydSumsTest {

  @Test
  void anUpdateMovesEachCodewordToTheMeanOfTheResidualsNearestToIt() {
    int d = 2;
    int k = 3;
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[200 * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 4 - 2);
    }
    float[] words = new float[2 * k * d];
    for (int i = 0; i < words.length; i++) {
      words[i] = (float) (r.nextDouble() - 0.5);
    }
    Codebooks books = Codebooks.of(2, k, d, words);
    // Two halves merged equal one pass; then check stage 1 against brute force.
    LloydSums a = new LloydSums(k, d).add(java.util.Arrays.copyOf(x, 100 * d), 100, books, 1);
    LloydSums b = new LloydSums(k, d).add(java.util.Arrays.copyOfRange(x, 100 * d, 200 * d), 100, books, 1);
    Codebooks updated = a.merge(b).update(books, 1);
    double[][] sum = new double[k][d];
    long[] count = new long[k];
    for (int i = 0; i < 200; i++) {
      double[] res = {x[i * d], x[i * d + 1]};
      int c0 = nearest(books, 0, res);
      res[0] -= books.value(0, c0, 0);
      res[1] -= books.value(0, c0, 1);
      int c1 = nearest(books, 1, res);
      count[c1]++;
      sum[c1][0] += res[0];
      sum[c1][1] += res[1];
    }
    for (int j = 0; j < k; j++) {
      for (int t = 0; t < d; t++) {
        float expected = count[j] == 0 ? books.value(1, j, t) : (float) (sum[j][t] / count[j]);
        assertEquals(expected, updated.value(1, j, t), 1e-6, "codeword " + j);
        assertEquals(books.value(0, j, t), updated.value(0, j, t), "other stages are untouched");
      }
    }
  }

  private static int nearest(Codebooks books, int m, double[] r) {
    int best = 0;
    double bestDist = Double.MAX_VALUE;
    for (int j = 0; j < books.codewords(); j++) {
      double dist = 0;
      for (int t = 0; t < r.length; t++) {
        double diff = r[t] - books.value(m, j, t);
        dist += diff * diff;
      }
      if (dist < bestDist) {
        bestDist = dist;
        best = j;
      }
    }
    return best;
  }
}
