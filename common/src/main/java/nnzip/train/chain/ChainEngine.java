package nnzip.train.chain;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import nnzip.graph.ChainLayer;
import nnzip.graph.ChainNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and reverse passes of {@link ChainNode}s (a chain of layers, or a graph with residual
 * joins) with hand-written kernels over plain ND4J arrays: BLAS products for dense and convolution
 * layers, loops for ReLU, pooling and BatchNorm, and a summed softmax cross-entropy on the logits.
 * It computes what SameDiff computes for the same graph (the tests compare the two), without
 * SameDiff's per-op session bookkeeping, which was most of a training step. A tensor read by several
 * nodes gets their gradients summed in reverse node order, so results do not depend on anything but
 * the inputs. Buffers are kept per batch size. Mutable and not thread-safe.
 */
public final class ChainEngine {
  /** Batch sizes whose buffers are kept (the chunk size, a last short chunk, an evaluation batch). */
  private static final int KEPT_SIZES = 4;
  /**
   * Most examples per forward pass when only logits are wanted: rows are independent, and the
   * activation buffers grow with the batch.
   */
  private static final int LOGIT_ROWS = 256;
  /** Most floats a logits pass keeps in its buffers (256 MB), which caps its rows below {@link #LOGIT_ROWS}. */
  private static final long LOGIT_FLOATS = 64L << 20;

  private final List<ChainNode> nodes;
  /** Per node: whether its step, which writes over its input, must work on a copy (others read it). */
  private final boolean[] copyInput;
  private final int inputSize;
  private final int classes;
  /** Examples per logits pass. */
  private final int logitRows;
  private final Scratch scratch = new Scratch();
  private final Map<Integer, Pass> passes = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, Pass> e) {
      return size() > KEPT_SIZES;
    }
  };

  /**
   * @param nodes the graph from input to logits (the last node's output), in graph order
   * @param inputSize elements per example of the input
   * @param classes logits per example
   * @throws IllegalArgumentException if the last node does not output {@code classes} values or a
   *     node reads a tensor not computed before it
   */
  public ChainEngine(List<ChainNode> nodes, int inputSize, int classes) {
    if (nodes.isEmpty() || nodes.get(nodes.size() - 1).layer().outSize() != classes) {
      throw new IllegalArgumentException("the chain must end at the " + classes + " logits");
    }
    for (int i = 0; i < nodes.size(); i++) {
      for (int t : nodes.get(i).inputs()) {
        if (t < 0 || t > i) {
          throw new IllegalArgumentException("node " + i + " reads tensor " + t + ", which is not computed before it");
        }
      }
    }
    this.nodes = List.copyOf(nodes);
    this.inputSize = inputSize;
    this.classes = classes;
    this.copyInput = copies(this.nodes);
    this.logitRows = (int) Math.max(1, Math.min(LOGIT_ROWS, LOGIT_FLOATS / floatsPerExample(this.nodes, inputSize)));
  }

  /** Floats a pass keeps per example: each node's output and gradient (a convolution's columns are per pass). */
  private static long floatsPerExample(List<ChainNode> nodes, int inputSize) {
    long floats = inputSize;
    for (ChainNode node : nodes) {
      floats += 2L * node.layer().outSize();
    }
    return floats;
  }

  /**
   * Which in-place steps (ReLU, bias) must copy their input: those whose input value is read by
   * another node too, directly or through a reshape (which passes the same buffer on), or is a ReLU's
   * output (which its backward pass reads).
   */
  private static boolean[] copies(List<ChainNode> nodes) {
    int[] value = new int[nodes.size() + 1]; // tensor → the value its buffer holds (reshapes share it)
    int[] readers = new int[nodes.size() + 1];
    for (int i = 0; i < nodes.size(); i++) {
      ChainNode node = nodes.get(i);
      for (int t : node.inputs()) {
        readers[value[t]]++;
      }
      value[i + 1] = node.layer() instanceof ChainLayer.Reshape ? value[node.input(0)] : i + 1;
      if (node.layer() instanceof ChainLayer.Relu) {
        readers[i + 1]++;
      }
    }
    boolean[] copy = new boolean[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      ChainLayer l = nodes.get(i).layer();
      copy[i] = (l instanceof ChainLayer.Relu || l instanceof ChainLayer.BiasAdd) && readers[value[nodes.get(i).input(0)]] > 1;
    }
    return copy;
  }

  /**
   * The loss, weight gradients and logits of one chunk.
   *
   * @param loss summed cross-entropy against the targets
   * @param gradients gradient of the summed loss per weight key, c-order
   * @param logits [n, classes] row-major
   * @param batchStats per BatchNorm node on batch statistics, in graph order, its batch mean then its
   *     biased batch variance, per channel
   */
  public record Result(double loss, Map<String, float[]> gradients, float[] logits, List<float[]> batchStats) {}

  /** Logits of n examples, [n, classes] row-major. */
  public float[] logits(float[] x, int n, Function<String, INDArray> weights) {
    float[] logits = new float[n * classes];
    for (int from = 0; from < n; from += logitRows) {
      int rows = Math.min(logitRows, n - from);
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
    return new Result(loss, grads, z, pass.batchStatistics());
  }

  private Pass pass(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("a chunk needs at least one example, got " + n);
    }
    return passes.computeIfAbsent(n, Pass::new);
  }

  private Step step(ChainLayer l, int n) {
    if (l instanceof ChainLayer.Dense d) {
      return new DenseStep(d, n);
    } else if (l instanceof ChainLayer.BiasAdd b) {
      return new BiasStep(b);
    } else if (l instanceof ChainLayer.Relu) {
      return new ReluStep();
    } else if (l instanceof ChainLayer.Conv c) {
      return new ConvStep(c, n, scratch);
    } else if (l instanceof ChainLayer.MaxPool m) {
      return new MaxPoolStep(m, n);
    } else if (l instanceof ChainLayer.BatchNorm b) {
      return new BatchNormStep(b, n);
    } else if (l instanceof ChainLayer.GlobalAveragePool p) {
      return new GlobalAveragePoolStep(p, n);
    }
    return new ReshapeStep();
  }

  /** The steps and input/gradient buffers for one batch size. */
  private final class Pass {
    /** Per node its step: a {@link Step}, or an {@link AddStep} for a join. */
    private final Object[] steps;
    /** Per node that copies its input, the copy's buffer. */
    private final INDArray[] copies;
    /** Tensor 0 the input, tensor k the output of node k − 1. */
    private final INDArray[] tensors;
    private final INDArray[] gradients;
    private final INDArray gradOut;

    Pass(int n) {
      steps = new Object[nodes.size()];
      copies = new INDArray[nodes.size()];
      for (int i = 0; i < steps.length; i++) {
        ChainLayer l = nodes.get(i).layer();
        steps[i] = l instanceof ChainLayer.Add a ? new AddStep(n, a.size()) : step(l, n);
        if (copyInput[i]) {
          copies[i] = Nd4j.create(DataType.FLOAT, n, l.outSize());
        }
      }
      tensors = new INDArray[nodes.size() + 1];
      gradients = new INDArray[nodes.size() + 1];
      tensors[0] = Nd4j.create(DataType.FLOAT, n, inputSize);
      this.gradOut = Nd4j.create(DataType.FLOAT, n, classes);
    }

    /** The logits of the examples from row {@code from} of x on. */
    INDArray forward(float[] x, int from, Function<String, INDArray> weights) {
      FloatBuffer in = Kernels.floats(tensors[0]);
      in.put(0, x, from * inputSize, in.limit());
      for (int i = 0; i < steps.length; i++) {
        ChainNode node = nodes.get(i);
        INDArray a = tensors[node.input(0)];
        if (steps[i] instanceof AddStep add) {
          tensors[i + 1] = add.forward(a, tensors[node.input(1)]);
        } else {
          tensors[i + 1] = ((Step) steps[i]).forward(copies[i] != null ? copies[i].assign(a) : a, weights);
        }
      }
      return tensors[steps.length];
    }

    void backward(float[] dz, Function<String, INDArray> weights, Map<String, float[]> grads) {
      Kernels.floats(gradOut).put(0, dz);
      java.util.Arrays.fill(gradients, null);
      gradients[steps.length] = gradOut;
      for (int i = steps.length - 1; i >= 0; i--) {
        INDArray g = gradients[i + 1];
        gradients[i + 1] = null;
        if (g == null) {
          continue; // an output nothing reads
        }
        ChainNode node = nodes.get(i);
        if (steps[i] instanceof AddStep add) {
          INDArray[] both = add.backward(g);
          flowInto(node.input(0), both[0]);
          flowInto(node.input(1), both[1]);
        } else {
          flowInto(node.input(0), ((Step) steps[i]).backward(g, node.input(0) > 0, weights, grads));
        }
      }
    }

    /** Adds a gradient into tensor t's (the input's is not wanted). */
    private void flowInto(int t, INDArray g) {
      if (t == 0) {
        return;
      }
      if (gradients[t] == null) {
        gradients[t] = g;
      } else {
        gradients[t].addi(g);
      }
    }

    List<float[]> batchStatistics() {
      List<float[]> stats = new ArrayList<>();
      for (int i = 0; i < steps.length; i++) {
        if (steps[i] instanceof BatchNormStep b && ((ChainLayer.BatchNorm) nodes.get(i).layer()).batchStatistics()) {
          float[][] ms = b.batchStatistics();
          stats.add(ms[0]);
          stats.add(ms[1]);
        }
      }
      return stats;
    }
  }
}
