package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import nnzip.data.Dataset;
import org.junit.jupiter.api.Test;

/**
 * Distillation targets against the closed form computed here from the teacher's weights
 * (logits = x·W + b, softmax at temperature T, mixed with the label), and a gradient against one-hot
 * targets equal to the gradient against the labels.
 */
class DistillationTest {
  @Test
  void targetsMixTheLabelWithTheTeachersSoftenedDistribution() {
    Dataset d = TrainingLoopTest.data(37, 3);
    TrainingGraph teacher = TrainingLoopTest.graph();
    ParameterValues p = teacher.values();
    for (int i = 0; i < p.values()[0].length; i++) {
      p.values()[0][i] = (float) Math.sin(i + 1.0);
    }
    p.values()[1] = new float[] {0.1f, -0.2f, 0.3f};
    teacher.setValues(p);
    float[] t = new Distillation(0.7, 2.5).targets(teacher, d);
    int k = d.numClasses();
    for (int n = 0; n < d.n(); n++) {
      double[] z = new double[k];
      double sum = 0;
      for (int c = 0; c < k; c++) {
        double logit = p.values()[1][c];
        for (int j = 0; j < d.dim(); j++) {
          logit += d.features()[n * d.dim() + j] * p.values()[0][j * k + c];
        }
        z[c] = Math.exp(logit / 2.5);
        sum += z[c];
      }
      for (int c = 0; c < k; c++) {
        double want = 0.3 * (c == d.labels()[n] ? 1 : 0) + 0.7 * z[c] / sum;
        assertEquals(want, t[n * k + c], 1e-5, "example " + n + " class " + c);
      }
    }
    float[] labelsOnly = new Distillation(0, 1).targets(teacher, d);
    for (int n = 0; n < d.n(); n++) {
      for (int c = 0; c < k; c++) {
        assertEquals(c == d.labels()[n] ? 1f : 0f, labelsOnly[n * k + c]);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new Distillation(1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> new Distillation(0.5, 0));
  }

  @Test
  void oneHotTargetsGiveTheLabelsGradient() {
    Dataset d = TrainingLoopTest.data(64, 4);
    TrainingGraph g = TrainingLoopTest.graph();
    float[] oneHot = new Distillation(0, 1).targets(g, d);
    int[] rows = new int[20];
    Arrays.setAll(rows, i -> 3 * i);
    ChunkGradient a = LocalGradients.chunkGradient(g, d, null, rows);
    ChunkGradient b = LocalGradients.chunkGradient(g, d, oneHot, rows);
    assertArrayEquals(a.gradients()[0], b.gradients()[0]);
    assertEquals(a.lossSum(), b.lossSum());
  }
}
