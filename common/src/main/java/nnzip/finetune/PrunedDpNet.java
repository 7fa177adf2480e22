package nnzip.finetune;

import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * Magnitude pruning whose last epochs also carry DP-Net's clustering term: once the mask has
 * settled, the surviving weights are pulled toward the levels they will be quantized to, so the
 * quantization that follows costs less. The mask is applied after the clustering gradient, so
 * pruned weights stay at zero.
 */
public final class PrunedDpNet implements TrainingLoop.Regularizer {
  private final MagnitudePruner pruner;
  private final DpNetRegularizer dpNet;
  private final int fromEpoch;
  private boolean clustering;

  /**
   * @param fromEpoch first epoch (1-based) with the clustering term
   */
  public PrunedDpNet(MagnitudePruner pruner, DpNetRegularizer dpNet, int fromEpoch) {
    this.pruner = pruner;
    this.dpNet = dpNet;
    this.fromEpoch = fromEpoch;
  }

  @Override
  public void startEpoch(int epoch, ParameterValues params) {
    pruner.startEpoch(epoch, params);
    clustering = epoch >= fromEpoch;
    if (clustering) {
      // The levels are solved from the pruned weights, so the zeros hold one level at 0.
      pruner.startStep(epoch, 0, params);
      dpNet.startEpoch(epoch, params);
    }
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    pruner.startStep(epoch, step, params);
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    if (clustering) {
      dpNet.addGradient(params, grads);
    }
    pruner.addGradient(params, grads);
  }

  @Override
  public void endStep(ParameterValues params) {
    pruner.endStep(params);
  }
}
