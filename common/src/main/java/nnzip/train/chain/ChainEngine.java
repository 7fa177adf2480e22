package nnzip.train.chain;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and reverse passes of a {@link ChainLayer} chain with hand-written kernels over plain
 * ND4J arrays: BLAS products for dense and convolution layers, loops for ReLU and max pooling,
 * and a summed softmax cross-entropy on the logits. It computes what SameDiff computes for the same
 * graph (the tests compare the two), without SameDiff's per-op session bookkeeping, which was
 * most of a training step. Buffers are kept per batch size. Mutable and not thread-safe.
 */
public final class ChainEngine {
  /** Batch sizes whose buffers are kept (the chunk size, a last short chunk, an evaluation batch). */
  private static final int KEPT_SIZES = 4;
  /**
   * Examples per forward pass when only logits are wanted: rows are independent, and the buffers of
   * a convolution grow with the batch (LeNet-5 at 1,000 rows would hold ~600 MB).
   */
  private static final int LOGIT_ROWS = 256;

  private final List<ChainLayer> layers;
  private final int inputSize;
  private final int classes;
  private final Map<Integer, Pass> passes = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, Pass> e) {
      return size() > KEPT_SIZES;
    }
  };

  /**
   * @param layers the chain from input to logits
   * @param inputSize elements per example of the input
   * @param classes logits per example
   */
  public ChainEngine(List<ChainLayer> layers, int inputSize, int classes) {
    if (layers.isEmpty() || layers.get(layers.size() - 1).outSize() != classes) {
      throw new IllegalArgumentException("the chain must end at the " + classes + " logits");
    }
    this.layers = List.copyOf(layers);
    this.inputSize = inputSize;
    this.classes = classes;
  }

  /**
   * The loss, weight gradients and logits of one chunk.
   *
   * @param loss summed cross-entropy against the targets
   * @param gradients gradient of the summed loss per weight key, c-order
   * @param logits [n, classes] row-major
   */
  public record Result(double loss, Map<String, float[]> gradients, float[] logits) {}

  /** Logits of n examples, [n, classes] row-major. */
  public float[] logits(float[] x, int n, Function<String, INDArray> weights) {
    float[] logits = new float[n * classes];
    for (int from = 0; from < n; from += LOGIT_ROWS) {
      int rows = Math.min(LOGIT_ROWS, n - from);
      Kernels.floats(pass(rows).forward(x, from, weights)).get(0, logits, from * classes, rows * classes);
    }
    return logits;
  }

  /**
   * The gradient of the summed softmax cross-entropy over n examples.
   *
   * @param x n × inputSize features, row-major
   * @param y labels (the targets when {@code targets} is null)
   * @param targets n × classes target distributions, or null for one-hot labels
   */
  public Result gradient(float[] x, int[] y, float[] targets, int n, Function<String, INDArray> weights) {
    Pass pass = pass(n);
    INDArray logits = pass.forward(x, 0, weights);
    float[] z = Kernels.read(logits, null);
    float[] dz = new float[z.length];
    double loss = 0;
    for (int e = 0; e < n; e++) {
      int o = e * classes;
      float max = z[o];
      for (int c = 1; c < classes; c++) {
        max = Math.max(max, z[o + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(z[o + c] - max);
      }
      double logSum = Math.log(sum) + max;
      double mass = 0;
      for (int c = 0; c < classes; c++) {
        double t = targets == null ? (c == y[e] ? 1 : 0) : targets[o + c];
        loss -= t * (z[o + c] - logSum);
        mass += t;
      }
      // ∂/∂z of −Σ t·log softmax(z) = softmax(z)·Σt − t.
      for (int c = 0; c < classes; c++) {
        double t = targets == null ? (c == y[e] ? 1 : 0) : targets[o + c];
        dz[o + c] = (float) (Math.exp(z[o + c] - logSum) * mass - t);
      }
    }
    Map<String, float[]> grads = new HashMap<>();
    pass.backward(dz, weights, grads);
    return new Result(loss, grads, z);
  }

  private Pass pass(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("a chunk needs at least one example, got " + n);
    }
    return passes.computeIfAbsent(n, Pass::new);
  }

  private static Step step(ChainLayer l, int n) {
    if (l instanceof ChainLayer.Dense d) {
      return new DenseStep(d, n);
    } else if (l instanceof ChainLayer.BiasAdd b) {
      return new BiasStep(b);
    } else if (l instanceof ChainLayer.Relu) {
      return new ReluStep();
    } else if (l instanceof ChainLayer.Conv c) {
      return new ConvStep(c, n);
    } else if (l instanceof ChainLayer.MaxPool m) {
      return new MaxPoolStep(m, n);
    }
    return new ReshapeStep();
  }

  /** The steps and input/gradient buffers for one batch size. */
  private final class Pass {
    private final List<Step> steps = new ArrayList<>();
    private final INDArray input;
    private final INDArray gradOut;

    Pass(int n) {
      for (ChainLayer l : layers) {
        steps.add(step(l, n));
      }
      this.input = Nd4j.create(DataType.FLOAT, n, inputSize);
      this.gradOut = Nd4j.create(DataType.FLOAT, n, classes);
    }

    /** The logits of the examples from row {@code from} of x on. */
    INDArray forward(float[] x, int from, Function<String, INDArray> weights) {
      FloatBuffer in = Kernels.floats(input);
      in.put(0, x, from * inputSize, in.limit());
      INDArray a = input;
      for (Step s : steps) {
        a = s.forward(a, weights);
      }
      return a;
    }

    void backward(float[] dz, Function<String, INDArray> weights, Map<String, float[]> grads) {
      Kernels.floats(gradOut).put(0, dz);
      INDArray g = gradOut;
      for (int i = steps.size() - 1; i >= 0; i--) {
        g = steps.get(i).backward(g, i > 0, weights, grads);
      }
    }
  }
}
