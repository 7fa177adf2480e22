package nnzip.finetune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnzip.codec.dp.Codebook;
import nnzip.codec.dp.OptimalQuantizer1D;
import nnzip.codec.dp.WeightedPoints;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * DP-Net's clustering-friendly regularizer (Yang et al.): λ · Σ (w − q(w))², where q maps each
 * weight to its nearest level of the tensor's optimal k-level quantizer. The levels are re-solved
 * by the exact dp solver at the start of every epoch and held fixed within it, so the term's
 * gradient is 2λ (w − q(w)) and pulls each weight toward its level.
 */
public final class DpNetRegularizer implements TrainingLoop.Regularizer {
  private final List<String> tensors;
  private final int levels;
  private final double lambda;
  private final Map<String, Codebook> books = new HashMap<>();

  /**
   * @param tensors names of the regularized parameters (the weights dp will code)
   * @param levels levels per tensor, 2^bits
   * @param lambda weight of the term, ≥ 0
   */
  public DpNetRegularizer(List<String> tensors, int levels, double lambda) {
    this.tensors = List.copyOf(tensors);
    this.levels = levels;
    this.lambda = lambda;
  }

  @Override
  public void startEpoch(int epoch, ParameterValues params) {
    for (String t : tensors) {
      float[] w = params.get(t);
      books.put(t, OptimalQuantizer1D.solve(WeightedPoints.of(w, w.length), levels).codebook());
    }
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    for (String t : tensors) {
      Codebook b = books.get(t);
      int p = params.names().indexOf(t);
      float[] w = params.values()[p];
      float[] g = grads[p];
      for (int i = 0; i < w.length; i++) {
        g[i] += (float) (2 * lambda * (w[i] - b.decode(b.encode(w[i]))));
      }
    }
  }

  /** The regularizer's value λ · Σ (w − q(w))² with the current levels (for reports and tests). */
  public double value(ParameterValues params) {
    double sum = 0;
    for (String t : tensors) {
      Codebook b = books.get(t);
      for (float x : params.get(t)) {
        double e = x - b.decode(b.encode(x));
        sum += e * e;
      }
    }
    return lambda * sum;
  }
}
