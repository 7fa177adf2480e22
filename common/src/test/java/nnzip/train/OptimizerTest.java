package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptimizerTest {
  @Test
  void adamsFirstStepMovesEachWeightByTheLearningRateAgainstTheGradientSign() {
    // After one step m̂ = g and v̂ = g², so the update is lr · g / (|g| + ε).
    float[][] w = {{1f, -2f, 0.5f}};
    float[][] g = {{0.3f, -4f, 1e-3f}};
    Optimizer adam = Optimizer.adam(0.01);
    adam.apply(w, g, OptimizerState.zeros(w));
    assertEquals(1 - 0.01 * 0.3 / (0.3 + 1e-8), w[0][0], 1e-6);
    assertEquals(-2 + 0.01 * 4 / (4 + 1e-8), w[0][1], 1e-6);
    assertEquals(0.5 - 0.01 * 1e-3 / (1e-3 + 1e-8), w[0][2], 1e-6);
  }

  @Test
  void adamsSecondStepFollowsTheBiasCorrectedMoments() {
    float[][] w = {{0f}};
    OptimizerState s = OptimizerState.zeros(w);
    Optimizer adam = Optimizer.adam(0.1);
    adam.apply(w, new float[][] {{1f}}, s);
    adam.apply(w, new float[][] {{-2f}}, s);
    double m = 0.9 * 0.1 * 1 + 0.1 * -2; // m2 = β1 m1 + (1-β1) g2 with m1 = 0.1
    double v = 0.999 * 0.001 * 1 + 0.001 * 4;
    double mhat = m / (1 - 0.81);
    double vhat = v / (1 - 0.999 * 0.999);
    double expected = -0.1 + -0.1 * mhat / (Math.sqrt(vhat) + 1e-8);
    assertEquals(expected, w[0][0], 1e-5);
    assertEquals(2, s.steps());
  }

  @Test
  void sgdWithMomentumAccumulatesVelocity() {
    float[][] w = {{1f}};
    OptimizerState s = OptimizerState.zeros(w);
    Optimizer sgd = Optimizer.sgd(0.5, 0.9);
    sgd.apply(w, new float[][] {{1f}}, s); // v = 1, w = 0.5
    sgd.apply(w, new float[][] {{1f}}, s); // v = 1.9, w = 0.5 - 0.95
    assertEquals(-0.45, w[0][0], 1e-6);
  }

  @Test
  void badSettingsAndMismatchedStateAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Optimizer.adam(0));
    assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd(0.1, 1));
    assertEquals("optimizer 'rmsprop' is not one of adam, sgd",
        assertThrows(IllegalArgumentException.class, () -> Optimizer.Kind.parse("rmsprop")).getMessage());
    float[][] w = {{1f, 2f}};
    assertThrows(IllegalArgumentException.class,
        () -> Optimizer.adam(0.1).apply(w, new float[][] {{1f, 1f}}, OptimizerState.zeros(new float[][] {{1f}})));
  }

  /** Plain SGD on a constant gradient moves by Σ lr·½(1 + cos(π(t−1)/T)) over T steps, in closed form. */
  @Test
  void cosineScheduleAnnealsTheStepSizeAsItsClosedFormSays() {
    Optimizer sgd = Optimizer.sgd(0.1, 0).withSchedule(Optimizer.Schedule.COSINE);
    float[][] w = {{0f}};
    OptimizerState state = OptimizerState.zeros(w);
    int total = 20;
    double expected = 0;
    for (int t = 1; t <= total; t++) {
      sgd.apply(w, new float[][] {{1f}}, state, total);
      expected -= 0.1 * 0.5 * (1 + Math.cos(Math.PI * (t - 1) / total));
      assertEquals(expected, w[0][0], 1e-5, "step " + t);
    }
    assertEquals(1.0, Optimizer.Schedule.COSINE.factor(1, total), 0);
    assertEquals(0.5, Optimizer.Schedule.COSINE.factor(11, total), 1e-12);
    assertEquals(1.0, Optimizer.Schedule.CONSTANT.factor(17, total), 0);
  }
}
