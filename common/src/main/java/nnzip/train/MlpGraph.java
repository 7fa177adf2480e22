package nnzip.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The SameDiff training graph of an {@link Mlp}: the weights are variables named as in
 * {@link Mlp#toTensors()} and kept in the same [out, in] layout, each layer is
 * {@code mmul(h, W, transposeB) + b}, and the loss is the mean softmax cross entropy of the
 * logits. Mutable training state; {@link #toMlp()} reads the current weights back as a value.
 */
final class MlpGraph {
  static final String INPUT = "input";
  static final String LABEL = "label";
  static final String LOGITS = "logits";
  static final String LOSS = "loss";

  private final SameDiff sd;
  private final int[] sizes;
  private final StepLoss stepLoss = new StepLoss();

  private MlpGraph(SameDiff sd, int[] sizes) {
    this.sd = sd;
    this.sizes = sizes;
  }

  /**
   * A graph whose variables start at {@code init}'s weights, trained by Adam.
   *
   * @param learningRate Adam step size, &gt; 0
   */
  static MlpGraph of(Mlp init, double learningRate) {
    int[] sizes = init.sizes();
    int numClasses = init.outputSize();
    SameDiff sd = SameDiff.create();
    SDVariable h = sd.placeHolder(INPUT, DataType.FLOAT, -1, sizes[0]);
    SDVariable label = sd.placeHolder(LABEL, DataType.FLOAT, -1, numClasses);
    List<DenseLayer> layers = init.layers();
    for (int i = 0; i < layers.size(); i++) {
      DenseLayer l = layers.get(i);
      SDVariable w = sd.var(Mlp.weightName(i), Nd4j.create(l.weight(), new long[] {l.out(), l.in()}, DataType.FLOAT));
      SDVariable b = sd.var(Mlp.biasName(i), Nd4j.create(l.bias(), new long[] {l.out()}, DataType.FLOAT));
      SDVariable z = sd.mmul(h, w, false, true, false);
      boolean last = i == layers.size() - 1;
      h = last ? sd.nn().biasAdd(LOGITS, z, b, true) : sd.nn().relu(sd.nn().biasAdd(z, b, true), 0);
    }
    // The loss must exist before the first output() call, or training later fails.
    sd.loss().softmaxCrossEntropy(LOSS, label, h, null);
    sd.setLossVariables(LOSS);
    sd.setTrainingConfig(new TrainingConfig.Builder()
        .updater(new Adam(learningRate))
        .dataSetFeatureMapping(INPUT)
        .dataSetLabelMapping(LABEL)
        .build());
    return new MlpGraph(sd, sizes);
  }

  /**
   * One Adam step on a mini-batch.
   *
   * @param x [n, inputSize] row-major, length n·inputSize
   * @param y classes, length ≥ n (the first n are used), each in [0, numClasses)
   * @return the batch's mean cross entropy before the step
   */
  double fitBatch(float[] x, int[] y, int n) {
    int k = sizes[sizes.length - 1];
    float[] oneHot = new float[n * k];
    for (int i = 0; i < n; i++) {
      oneHot[i * k + y[i]] = 1f;
    }
    INDArray features = Nd4j.create(x, new long[] {n, sizes[0]}, DataType.FLOAT);
    INDArray labels = Nd4j.create(oneHot, new long[] {n, k}, DataType.FLOAT);
    stepLoss.labels = y;
    stepLoss.last = Double.NaN;
    sd.fit(new DataSet(features, labels), stepLoss);
    return stepLoss.last;
  }

  /**
   * The graph's logits for {@code n} rows.
   *
   * @param x [n, inputSize] row-major, length n·inputSize
   * @return [n, numClasses] row-major
   */
  float[] logits(float[] x, int n) {
    INDArray in = Nd4j.create(x, new long[] {n, sizes[0]}, DataType.FLOAT);
    INDArray out = sd.output(Map.of(INPUT, in), LOGITS).get(LOGITS);
    return flat(out);
  }

  /** The current weights as an immutable {@link Mlp}. */
  Mlp toMlp() {
    List<DenseLayer> layers = new ArrayList<>();
    for (int i = 0; i + 1 < sizes.length; i++) {
      float[] w = flat(sd.getVariable(Mlp.weightName(i)).getArr());
      float[] b = flat(sd.getVariable(Mlp.biasName(i)).getArr());
      layers.add(new DenseLayer(sizes[i], sizes[i + 1], w, b));
    }
    return new Mlp(layers);
  }

  /**
   * Computes each step's loss from the logits of its forward pass. SameDiff's backward pass
   * (softmax_cross_entropy_loss_grad) does not need the loss op, so it never runs during fit and
   * the loss SameDiff reports to listeners is always 0.
   */
  private static final class StepLoss extends BaseListener {
    int[] labels;
    double last = Double.NaN;

    @Override
    public boolean isActive(Operation op) {
      return op == Operation.TRAINING;
    }

    @Override
    public void activationAvailable(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, String name, INDArray act) {
      if (name.equals(LOGITS)) {
        last = meanCrossEntropy(flat(act), labels, (int) act.size(0), (int) act.size(1));
      }
    }
  }

  /**
   * Mean softmax cross entropy, computed stably as logsumexp − logit of the label.
   *
   * @param logits [n, k] row-major
   * @param labels length ≥ n, each in [0, k)
   */
  static double meanCrossEntropy(float[] logits, int[] labels, int n, int k) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, logits[i * k + j]);
      }
      double z = 0;
      for (int j = 0; j < k; j++) {
        z += Math.exp(logits[i * k + j] - max);
      }
      sum += max + Math.log(z) - logits[i * k + labels[i]];
    }
    return n == 0 ? 0 : sum / n;
  }

  private static float[] flat(INDArray a) {
    return a.dup('c').data().asFloat();
  }
}
