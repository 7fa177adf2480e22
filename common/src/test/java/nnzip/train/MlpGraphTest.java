package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpGraphTest {

  @Test
  void aFreshGraphHoldsAndComputesTheMlpItWasBuiltFrom() {
    Mlp mlp = MlpTest.randomMlp(1, 30, 20, 10, 5);
    MlpGraph graph = MlpGraph.of(mlp, 1e-3);
    assertEquals(mlp, graph.toMlp());
    float[] x = MlpTest.randomInput(2, 40, 30);
    double[] ref = MlpTest.naiveLogits(mlp, x, 40);
    float[] logits = graph.logits(x, 40);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], logits[i], 1e-5 * (1 + Math.abs(ref[i])), "logit " + i);
    }
  }

  @Test
  void aStepReportsTheLossBeforeItAndChangesEveryTensor() {
    Mlp mlp = MlpTest.randomMlp(3, 30, 20, 5);
    MlpGraph graph = MlpGraph.of(mlp, 1e-2);
    int n = 16;
    float[] x = MlpTest.randomInput(4, n, 30);
    int[] y = new SplittableRandom(5).ints(n, 0, 5).toArray();
    double expected = MlpGraph.meanCrossEntropy(mlp.logits(x, n), y, n, 5);
    assertEquals(expected, graph.fitBatch(x, y, n), 1e-5);
    Mlp after = graph.toMlp();
    for (int i = 0; i < mlp.layers().size(); i++) {
      assertNotEquals(mlp.layers().get(i), after.layers().get(i), "layer " + (i + 1) + " was not updated");
    }
    double lossAfter = MlpGraph.meanCrossEntropy(after.logits(x, n), y, n, 5);
    assertTrue(lossAfter < expected, "loss " + expected + " -> " + lossAfter);
  }
}
