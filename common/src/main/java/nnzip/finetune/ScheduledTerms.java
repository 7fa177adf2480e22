package nnzip.finetune;

import java.util.List;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * The hooks of full-precision training before quantization: optional magnitude pruning over every
 * epoch, and terms that each run from their own first epoch to the end: DP-Net's clustering term,
 * which pulls the weights toward the levels they will be quantized to, and quantization-aware
 * training, which trains them through those levels. Run in the last epochs of pruning, after the
 * mask has settled, they make the quantization that follows cost less.
 *
 * <p>Order within a step: the mask is applied before a term sees the weights (so the terms' levels are
 * solved from the pruned weights, and the zeros share one level near 0), and after the terms changed
 * the gradients (so pruned weights get no gradient and stay at zero).
 */
public final class ScheduledTerms implements TrainingLoop.Regularizer {
  /**
   * A hook and the first epoch (1-based) it runs in.
   */
  public record Late(TrainingLoop.Regularizer term, int fromEpoch) {}

  private final MagnitudePruner pruner;
  private final List<Late> terms;
  private final boolean[] active;

  /**
   * @param pruner the pruner, or null for none
   * @param terms the terms, applied in this order within a step
   */
  public ScheduledTerms(MagnitudePruner pruner, List<Late> terms) {
    this.pruner = pruner;
    this.terms = List.copyOf(terms);
    this.active = new boolean[terms.size()];
  }

  @Override
  public void startEpoch(int epoch, ParameterValues params) {
    if (pruner != null) {
      pruner.startEpoch(epoch, params);
    }
    for (int i = 0; i < terms.size(); i++) {
      active[i] = epoch >= terms.get(i).fromEpoch();
      if (active[i]) {
        terms.get(i).term().startEpoch(epoch, params);
      }
    }
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    if (pruner != null) {
      pruner.startStep(epoch, step, params);
    }
    for (int i = 0; i < terms.size(); i++) {
      if (active[i]) {
        terms.get(i).term().startStep(epoch, step, params);
      }
    }
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    // Reverse order: a term that swapped in quantized weights at startStep restores the full-precision
    // ones before an earlier term (or the pruner) looks at them.
    for (int i = terms.size() - 1; i >= 0; i--) {
      if (active[i]) {
        terms.get(i).term().addGradient(params, grads);
      }
    }
    if (pruner != null) {
      pruner.addGradient(params, grads);
    }
  }

  @Override
  public ParameterValues forValidation(ParameterValues params) {
    ParameterValues p = params;
    for (int i = 0; i < terms.size(); i++) {
      if (active[i]) {
        p = terms.get(i).term().forValidation(p);
      }
    }
    return p;
  }

  @Override
  public void endStep(ParameterValues params) {
    if (pruner != null) {
      pruner.endStep(params);
    }
    for (int i = 0; i < terms.size(); i++) {
      if (active[i]) {
        terms.get(i).term().endStep(params);
      }
    }
  }
}
