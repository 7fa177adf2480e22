package nnzip.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run needs to continue from where it stopped: the position (next epoch and
 * step), the parameters, the optimizer's state, the statistics that are not trained by gradient
 * (BatchNorm running mean and variance, by weight key), the finished epochs' diagnostics and the
 * current epoch's running sums. A checkpoint is exactly this value.
 *
 * @param epoch the epoch in progress or next to run, 1-based
 * @param step the next step within that epoch, 0-based
 * @param params trainable parameter values
 * @param optimizer the optimizer's state
 * @param statistics non-trained statistics by weight key (may be empty)
 * @param history diagnostics of the finished epochs
 * @param epochLoss summed loss of the current epoch's steps so far
 * @param epochCorrect correctly classified examples of the current epoch so far
 * @param epochSeen examples of the current epoch so far
 */
public record TrainingState(int epoch, int step, ParameterValues params, OptimizerState optimizer,
    Map<String, float[]> statistics, List<EpochStats> history, double epochLoss, long epochCorrect, long epochSeen) {

  /** Copies the collections (not the arrays). */
  public TrainingState {
    statistics = new LinkedHashMap<>(statistics);
    history = List.copyOf(history);
  }

  /** The state before the first step. */
  public static TrainingState start(ParameterValues params, Map<String, float[]> statistics) {
    return new TrainingState(1, 0, params, OptimizerState.zeros(params.values()), statistics, List.of(), 0, 0, 0);
  }

  /**
   * Raw little-endian bytes of every parameter and statistic by weight key, ready to replace the
   * model's weights (parameters of coded weights are not weight keys: use this for plain training).
   */
  public Map<String, byte[]> weightBytes() {
    Map<String, byte[]> w = new LinkedHashMap<>();
    for (int i = 0; i < params.names().size(); i++) {
      w.put(params.names().get(i), nnzip.artifact.ArtifactWriter.floatBytes(params.values()[i]));
    }
    statistics.forEach((k, v) -> w.put(k, nnzip.artifact.ArtifactWriter.floatBytes(v)));
    return w;
  }

  /** This state with a finished epoch appended and the position at the next epoch's start. */
  TrainingState nextEpoch(EpochStats stats) {
    List<EpochStats> h = new ArrayList<>(history);
    h.add(stats);
    return new TrainingState(epoch + 1, 0, params, optimizer, statistics, h, 0, 0, 0);
  }
}
