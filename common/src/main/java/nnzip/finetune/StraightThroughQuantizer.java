package nnzip.finetune;

import java.util.List;
import nnzip.codec.TensorLayout;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;

/**
 * Quantization-aware training with the straight-through estimator (Bengio et al. 2013; the QAT of
 * Jacob et al. 2018, with optimal rather than uniform levels): every step computes the loss and its
 * gradients with each listed tensor snapped to the nearest level of its optimal k-level quantizer
 * (one per tensor or one per channel, as the dp codec's scope will have it),
 * and the optimizer applies those gradients to the full-precision weights kept aside. Training so
 * sees the error quantization will make, and the weights settle where it costs the least, which
 * finetuning the levels afterwards (codes frozen) cannot do because it never moves a weight from one
 * level to another.
 *
 * <p>The levels are re-solved by the exact dp solver from the full-precision weights at the start of
 * every round and held within it, as {@link DpNetRegularizer}'s are, so a resumed run repeats an
 * uninterrupted one (see {@link RoundLevels}).
 */
public final class StraightThroughQuantizer implements TrainingLoop.Regularizer {
  private final RoundLevels books;
  private final float[][] latent;

  /**
   * @param tensors names of the quantized parameters (the weights dp will code)
   * @param layouts per tensor, the groups that get their own levels (as the codec's scope makes
   *     them); null for one group per tensor
   * @param levels levels per group, 2^bits
   * @param stepsPerRound the training plan's steps between checkpoints
   */
  public StraightThroughQuantizer(List<String> tensors, List<TensorLayout> layouts, int levels, int stepsPerRound) {
    this.books = new RoundLevels(tensors, layouts, levels, stepsPerRound);
    this.latent = new float[tensors.size()][];
  }

  /** Keeps the full-precision weights aside and puts their quantized values in their place. */
  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    books.startStep(step, params);
    List<String> tensors = books.tensors();
    for (int t = 0; t < tensors.size(); t++) {
      float[] w = params.get(tensors.get(t));
      if (latent[t] == null || latent[t].length != w.length) {
        latent[t] = new float[w.length];
      }
      System.arraycopy(w, 0, latent[t], 0, w.length);
    }
    books.snap(params);
  }

  /**
   * Puts the full-precision weights back, so the optimizer updates them with the gradient taken at
   * the quantized point (the straight-through estimate: the quantizer's derivative taken as 1).
   */
  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    List<String> tensors = books.tensors();
    for (int t = 0; t < tensors.size(); t++) {
      System.arraycopy(latent[t], 0, params.get(tensors.get(t)), 0, latent[t].length);
    }
  }

  /**
   * A copy of the parameters with the weights quantized as the codec will quantize them: on levels
   * solved afresh from these weights (the hook's own levels stay as they are).
   */
  @Override
  public ParameterValues forValidation(ParameterValues params) {
    ParameterValues q = params.copy();
    books.solvedFor(params).snap(q);
    return q;
  }

  /** The current levels of tensor {@code name}'s group {@code channel} (for reports and tests). */
  public float[] levels(String name, int channel) {
    return books.levels(books.tensors().indexOf(name), channel);
  }
}
