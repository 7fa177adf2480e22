package nnzip.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.train.ParameterValues;
import org.junit.jupiter.api.Test;

/**
 * Quantization-aware training's hook: within a step the model holds each weight's nearest level of
 * the 2-level k-means of the weights at the round's first step (brute force as the reference), and
 * the optimizer then sees the full-precision weights again, bit for bit, with the gradient untouched.
 */
class StraightThroughQuantizerTest {
  private static final int N = 40;

  private static ParameterValues params(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] w = new float[N];
    for (int i = 0; i < N; i++) {
      w[i] = (float) (rng.nextGaussian() + (i % 2 == 0 ? 2 : -1));
    }
    return new ParameterValues(List.of("w"), List.of(new long[] {N}), new float[][] {w});
  }

  @Test
  void stepRunsOnTheNearestLevelsAndTheOptimizerSeesTheFullPrecisionWeights() {
    ParameterValues p = params(5);
    StraightThroughQuantizer qat = new StraightThroughQuantizer(List.of("w"), null, 2, 3);
    double[] levels = TwoLevels.bruteForce(p.get("w"));
    for (int step = 0; step < 3; step++) {
      float[] full = p.get("w").clone();
      qat.startStep(1, step, p);
      assertArrayEquals(new float[] {(float) levels[0], (float) levels[1]}, qat.levels("w", 0), 1e-5f,
          "the levels of the round's first step hold through the round");
      for (int i = 0; i < N; i++) {
        assertEquals(TwoLevels.nearest(levels, full[i]), p.get("w")[i], 1e-5, "weight " + i + " during step " + step);
      }
      float[][] g = {new float[N]};
      Arrays.fill(g[0], 0.5f);
      qat.addGradient(p, g);
      assertArrayEquals(full, p.get("w"), "the full-precision weights are back before the update");
      for (float x : g[0]) {
        assertEquals(0.5f, x, "the gradient passes straight through");
      }
      // What an optimizer would do: move the full-precision weights, which the next step quantizes.
      for (int i = 0; i < N; i++) {
        p.get("w")[i] -= 0.3f * (i % 3 - 1);
      }
    }
  }

  @Test
  void levelsFollowTheWeightsFromRoundToRound() {
    ParameterValues p = params(9);
    StraightThroughQuantizer qat = new StraightThroughQuantizer(List.of("w"), null, 2, 2);
    qat.startStep(1, 0, p);
    qat.addGradient(p, new float[][] {new float[N]});
    float[] first = qat.levels("w", 0);
    float[] w = p.get("w");
    for (int i = 0; i < N; i++) {
      w[i] = 3 * w[i] + 1;
    }
    qat.startStep(1, 1, p);
    qat.addGradient(p, new float[][] {new float[N]});
    assertArrayEquals(first, qat.levels("w", 0), "no new levels inside a round");
    qat.startStep(1, 2, p);
    double[] levels = TwoLevels.bruteForce(w);
    assertArrayEquals(new float[] {(float) levels[0], (float) levels[1]}, qat.levels("w", 0), 1e-4f);
    assertEquals(3 * first[0] + 1, qat.levels("w", 0)[0], 1e-4, "an affine map of the weights moves the levels with it");
  }

  /**
   * With the codec's channel groups (a [4, 10] MatMul-style weight whose channels lie along axis 1,
   * so each channel is a strided column), every element snaps to the levels of its own column.
   */
  @Test
  void channelGroupsGetTheirOwnLevels() {
    SplittableRandom rng = new SplittableRandom(13);
    int rows = 10;
    int cols = 4;
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (rng.nextGaussian() * (1 + i % cols) + 3 * (i % cols)); // columns on different scales
    }
    ParameterValues p = new ParameterValues(List.of("w"), List.of(new long[] {rows, cols}), new float[][] {w});
    nnzip.codec.TensorLayout columns = nnzip.codec.TensorLayout.alongAxis(
        new nnzip.tensor.TensorSpec("w", nnzip.tensor.DType.F32, new long[] {rows, cols}), 1);
    StraightThroughQuantizer qat = new StraightThroughQuantizer(List.of("w"), List.of(columns), 2, 5);
    float[] full = w.clone();
    qat.startStep(1, 0, p);
    for (int c = 0; c < cols; c++) {
      float[] column = new float[rows];
      for (int r = 0; r < rows; r++) {
        column[r] = full[r * cols + c];
      }
      double[] levels = TwoLevels.bruteForce(column);
      assertArrayEquals(new float[] {(float) levels[0], (float) levels[1]}, qat.levels("w", c), 1e-5f, "column " + c);
      for (int r = 0; r < rows; r++) {
        assertEquals(TwoLevels.nearest(levels, column[r]), p.get("w")[r * cols + c], 1e-5, "row " + r + " column " + c);
      }
    }
  }

  /**
   * Validation sees the weights as the codec will store them (levels solved afresh from the weights
   * at the epoch's end), while the weights and the hook's own levels stay as they were.
   */
  @Test
  void validationSeesFreshlyQuantizedWeightsAndChangesNothing() {
    ParameterValues p = params(21);
    StraightThroughQuantizer qat = new StraightThroughQuantizer(List.of("w"), null, 2, 4);
    qat.startStep(1, 0, p);
    qat.addGradient(p, new float[][] {new float[N]});
    float[] roundLevels = qat.levels("w", 0);
    float[] w = p.get("w");
    for (int i = 0; i < N; i++) {
      w[i] = 2 * w[i] - 1; // the weights move on after the round's levels were solved
    }
    float[] before = w.clone();
    ParameterValues seen = qat.forValidation(p);
    double[] fresh = TwoLevels.bruteForce(before);
    for (int i = 0; i < N; i++) {
      assertEquals(TwoLevels.nearest(fresh, before[i]), seen.get("w")[i], 1e-5, "weight " + i);
    }
    assertArrayEquals(before, p.get("w"), "the parameters are untouched");
    assertArrayEquals(roundLevels, qat.levels("w", 0), "the round's levels are untouched");
  }

  @Test
  void anEmptyTensorIsLeftAlone() {
    ParameterValues p = new ParameterValues(List.of("w", "e"), List.of(new long[] {N}, new long[] {0, 3}),
        new float[][] {params(2).get("w"), new float[0]});
    StraightThroughQuantizer qat = new StraightThroughQuantizer(List.of("w", "e"), null, 2, 1);
    qat.startStep(1, 0, p);
    assertEquals(0, p.get("e").length);
    assertArrayEquals(new float[] {0f}, qat.levels("e", 0), "one level at 0, as the dp codec gives an empty group");
  }
}
