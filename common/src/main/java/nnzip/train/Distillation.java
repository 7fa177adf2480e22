package nnzip.train;

import nnzip.data.Dataset;

/**
 * Knowledge distillation (Hinton et al.): the compressed model learns from the original model's
 * softened predictions as well as from the labels. The targets are fixed once per run, so they are
 * computed by the teacher in one pass and stay the same for every executor and epoch:
 * target = (1 − α) · one-hot(label) + α · softmax(teacher logits / T).
 *
 * @param alpha weight of the teacher's distribution, in [0, 1] (0 = labels only)
 * @param temperature softening of the teacher's logits, &gt; 0
 */
public record Distillation(double alpha, double temperature) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** No distillation. */
  public static final Distillation NONE = new Distillation(0, 1);

  /** Checks the ranges. */
  public Distillation {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("distill.alpha must be in [0, 1], got " + alpha);
    }
    if (!(temperature > 0 && Double.isFinite(temperature))) {
      throw new IllegalArgumentException("distill.temperature must be finite and > 0, got " + temperature);
    }
  }

  /** Whether the teacher takes part. */
  public boolean enabled() {
    return alpha > 0;
  }

  /**
   * The targets of every example of {@code data}: n × classes, row-major.
   *
   * @param teacher the original model (inference mode)
   */
  public float[] targets(TrainingGraph teacher, Dataset data) {
    int k = data.numClasses();
    float[] out = new float[data.n() * k];
    int batch = 1000;
    for (int from = 0; from < data.n(); from += batch) {
      int rows = Math.min(batch, data.n() - from);
      float[] x = java.util.Arrays.copyOfRange(data.features(), from * data.dim(), (from + rows) * data.dim());
      float[] logits = teacher.logits(x, rows);
      for (int i = 0; i < rows; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          max = Math.max(max, logits[i * k + c] / temperature);
        }
        double sum = 0;
        double[] e = new double[k];
        for (int c = 0; c < k; c++) {
          e[c] = Math.exp(logits[i * k + c] / temperature - max);
          sum += e[c];
        }
        int label = data.labels()[from + i];
        for (int c = 0; c < k; c++) {
          out[(from + i) * k + c] = (float) ((1 - alpha) * (c == label ? 1 : 0) + alpha * e[c] / sum);
        }
      }
    }
    return out;
  }
}
