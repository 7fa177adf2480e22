package nnzip.finetune;

import java.util.List;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * DP-Net's clustering-friendly regularizer (Yang et al.): λ · Σ (w − q(w))², where q maps each
 * weight to its nearest level of the tensor's optimal k-level quantizer. The levels are re-solved
 * by the exact dp solver at the start of every round (the paper: every epoch; a round keeps a resumed
 * run exact, see {@link RoundLevels}) and held fixed within it, so the term's gradient is
 * 2λ (w − q(w)) and pulls each weight toward its level.
 */
public final class DpNetRegularizer implements TrainingLoop.Regularizer {
  private final RoundLevels books;
  private final double lambda;

  /**
   * @param tensors names of the regularized parameters (the weights dp will code)
   * @param levels levels per tensor, 2^bits
   * @param lambda weight of the term, ≥ 0
   * @param stepsPerRound the training plan's steps between checkpoints
   */
  public DpNetRegularizer(List<String> tensors, int levels, double lambda, int stepsPerRound) {
    this.books = new RoundLevels(tensors, null, levels, stepsPerRound);
    this.lambda = lambda;
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    books.startStep(step, params);
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    List<String> tensors = books.tensors();
    for (int t = 0; t < tensors.size(); t++) {
      int p = params.names().indexOf(tensors.get(t));
      float[] w = params.values()[p];
      float[] g = grads[p];
      for (int i = 0; i < w.length; i++) {
        g[i] += (float) (2 * lambda * (w[i] - books.quantize(t, i, w[i])));
      }
    }
  }

  /** The regularizer's value λ · Σ (w − q(w))² with the current levels (for reports and tests). */
  public double value(ParameterValues params) {
    double sum = 0;
    List<String> tensors = books.tensors();
    for (int t = 0; t < tensors.size(); t++) {
      float[] w = params.get(tensors.get(t));
      for (int i = 0; i < w.length; i++) {
        double e = w[i] - books.quantize(t, i, w[i]);
        sum += e * e;
      }
    }
    return lambda * sum;
  }
}
