package nnzip.subspace;

import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * Training of a line whose graph has BatchNorm: {@link LineTraining} with the running statistics kept
 * per α ({@link NormLine}). Each step's batch statistics fold into the two anchors around the step's
 * α (each point's, under the sandwich rule), each with its interpolation weight as its share of the
 * node's momentum update, so an anchor averages the batches of the points near it as the dialed point
 * will read it; validation sees the statistics interpolated at its α. The state's statistics are the anchors', named by
 * {@link NormLine#key}, so checkpoints carry them and a resumed run repeats them.
 */
public final class NormLineTraining implements TrainingLoop.Regularizer {
  private final LineTraining line;
  private final NormLine norms;
  private final float validationAlpha;

  /**
   * @param line the line's training (it draws each step's α)
   * @param norms the anchors (their statistics are not read: the state's are)
   * @param validationAlpha the point each epoch's validation is measured at, as {@code line}'s
   * @throws IllegalArgumentException if {@code norms} has no anchors
   */
  public NormLineTraining(LineTraining line, NormLine norms, double validationAlpha) {
    if (norms.isEmpty()) {
      throw new IllegalArgumentException("a norm line needs anchors");
    }
    this.line = line;
    this.norms = norms;
    this.validationAlpha = (float) SubspaceKind.checkAlpha(validationAlpha);
  }

  @Override
  public void startEpoch(int epoch, ParameterValues params) {
    line.startEpoch(epoch, params);
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    line.startStep(epoch, step, params);
  }

  @Override
  public int pointsPerStep() {
    return line.pointsPerStep();
  }

  @Override
  public void startPoint(int epoch, int step, int point, ParameterValues params) {
    line.startPoint(epoch, step, point, params);
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    line.addGradient(params, grads);
  }

  @Override
  public void endStep(ParameterValues params) {
    line.endStep(params);
  }

  @Override
  public ParameterValues forValidation(ParameterValues params) {
    return line.forValidation(params);
  }

  /** The anchors around the point's α with their interpolation weights (one anchor, whole, at its own α). */
  @Override
  public Map<String, Float> statisticsShares(int epoch, int step, int point, String key) {
    if (!norms.statistics().containsKey(key)) {
      throw new IllegalArgumentException("BatchNorm statistic '" + key + "' is not on the norm line");
    }
    float[] w = norms.weights(line.alpha(epoch, step, point));
    Map<String, Float> shares = new LinkedHashMap<>();
    for (int j = 0; j < w.length; j++) {
      if (w[j] > 0) {
        shares.put(NormLine.key(j, key), w[j]);
      }
    }
    return shares;
  }

  @Override
  public Map<String, float[]> statisticsForValidation(Map<String, float[]> statistics) {
    return norms.withAnchors(statistics).at(validationAlpha);
  }
}
