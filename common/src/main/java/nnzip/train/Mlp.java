package nnzip.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.data.Dataset;

/**
 * An immutable multilayer perceptron: dense layers y = x·Wᵀ + b with ReLU between them and raw
 * logits out, stored as PyTorch's {@code nn.Linear} and ONNX {@code Gemm(transB=1)} store it
 * (weight [out, in] row-major, bias [out]). Its tensors are named {@code fc1.weight},
 * {@code fc1.bias}, {@code fc2.weight}, … in layer order.
 */
public final class Mlp {
  private static final int CHUNK = 512;
  private final List<DenseLayer> layers;

  /**
   * An MLP of the given layers, first to last.
   *
   * @throws IllegalArgumentException if there are no layers or one's input size differs from the
   *     previous one's output size
   */
  public Mlp(List<DenseLayer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("an MLP needs at least one layer");
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i).in() != layers.get(i - 1).out()) {
        throw new IllegalArgumentException("layer " + (i + 1) + " takes " + layers.get(i).in()
            + " inputs but layer " + i + " gives " + layers.get(i - 1).out());
      }
    }
    this.layers = List.copyOf(layers);
  }

  /**
   * A randomly initialized MLP: He/Kaiming uniform weights, U(±√(6/in)), zero biases (He et al.
   * 2015, the ReLU initialization).
   *
   * @param sizes layer widths from input to output, e.g. {784, 300, 100, 10}; length ≥ 2, each ≥ 1
   * @param rng source of the weights, drawn layer by layer in row-major order
   */
  public static Mlp heUniform(int[] sizes, SplittableRandom rng) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("need at least input and output size, got " + Arrays.toString(sizes));
    }
    List<DenseLayer> layers = new ArrayList<>();
    for (int l = 0; l + 1 < sizes.length; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      double bound = Math.sqrt(6.0 / in);
      float[] w = new float[Math.multiplyExact(in, out)];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) rng.nextDouble(-bound, bound);
      }
      layers.add(new DenseLayer(in, out, w, new float[out]));
    }
    return new Mlp(layers);
  }

  /** The layers, first to last. */
  public List<DenseLayer> layers() {
    return layers;
  }

  /** Layer widths from input to output, e.g. {784, 300, 100, 10}. */
  public int[] sizes() {
    int[] s = new int[layers.size() + 1];
    s[0] = layers.get(0).in();
    for (int i = 0; i < layers.size(); i++) {
      s[i + 1] = layers.get(i).out();
    }
    return s;
  }

  /** Features per input row. */
  public int inputSize() {
    return layers.get(0).in();
  }

  /** Logits per row (number of classes). */
  public int outputSize() {
    return layers.get(layers.size() - 1).out();
  }

  /**
   * The logits of {@code n} input rows.
   *
   * @param x [n, inputSize] row-major, length n·inputSize
   * @return [n, outputSize] row-major
   * @throws IllegalArgumentException if {@code x.length != n·inputSize}
   */
  public float[] logits(float[] x, int n) {
    checkInput(x, n);
    float[] out = new float[Math.multiplyExact(n, outputSize())];
    float[] chunk = new float[CHUNK * outputSize()];
    for (int from = 0; from < n; from += CHUNK) {
      int rows = Math.min(CHUNK, n - from);
      forward(x, from, rows, chunk);
      System.arraycopy(chunk, 0, out, from * outputSize(), rows * outputSize());
    }
    return out;
  }

  /**
   * The predicted class (argmax of the logits, the first on ties) of each of {@code n} rows.
   *
   * @param x [n, inputSize] row-major, length n·inputSize
   * @return length n
   * @throws IllegalArgumentException if {@code x.length != n·inputSize}
   */
  public int[] predict(float[] x, int n) {
    checkInput(x, n);
    int[] classes = new int[n];
    float[] chunk = new float[CHUNK * outputSize()];
    for (int from = 0; from < n; from += CHUNK) {
      int rows = Math.min(CHUNK, n - from);
      forward(x, from, rows, chunk);
      Dense.argmax(chunk, rows, outputSize(), classes, from);
    }
    return classes;
  }

  /**
   * Share of the examples whose predicted class equals the label, in [0, 1] (0 for no examples).
   *
   * @throws IllegalArgumentException if the data's dim differs from the input size
   */
  public double accuracy(Dataset data) {
    if (data.dim() != inputSize()) {
      throw new IllegalArgumentException("data has " + data.dim() + " features, model takes " + inputSize());
    }
    int[] predicted = predict(data.features(), data.n());
    int correct = 0;
    for (int i = 0; i < data.n(); i++) {
      if (predicted[i] == data.labels()[i]) {
        correct++;
      }
    }
    return data.n() == 0 ? 0 : (double) correct / data.n();
  }

  /**
   * The weights as named F32 tensors in layer order: {@code fc1.weight} [out, in],
   * {@code fc1.bias} [out], {@code fc2.weight}, …
   */
  public LinkedHashMap<String, FloatTensor> toTensors() {
    LinkedHashMap<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      DenseLayer l = layers.get(i);
      tensors.put(weightName(i), FloatTensor.of(weightName(i), l.weight(), l.out(), l.in()));
      tensors.put(biasName(i), FloatTensor.of(biasName(i), l.bias(), l.out()));
    }
    return tensors;
  }

  /**
   * The inverse of {@link #toTensors()}: reads {@code fc1.*}, {@code fc2.*}, … until a layer is
   * missing. Map keys must equal the tensors' names.
   *
   * @throws InvalidInputException if a tensor is missing, misnamed, left over, or has a wrong
   *     shape, or consecutive layers do not chain
   */
  public static Mlp fromTensors(Map<String, FloatTensor> tensors) {
    List<DenseLayer> layers = new ArrayList<>();
    for (int i = 0; tensors.containsKey(weightName(i)); i++) {
      FloatTensor w = tensors.get(weightName(i));
      FloatTensor b = tensors.get(biasName(i));
      if (b == null) {
        throw new InvalidInputException("tensor '" + biasName(i) + "' missing");
      }
      long[] ws = w.spec().shape();
      long[] bs = b.spec().shape();
      if (!w.spec().name().equals(weightName(i)) || !b.spec().name().equals(biasName(i))) {
        throw new InvalidInputException("tensors " + w.spec().name() + ", " + b.spec().name()
            + " stored under keys " + weightName(i) + ", " + biasName(i));
      }
      if (ws.length != 2 || bs.length != 1 || bs[0] != ws[0]) {
        throw new InvalidInputException("layer fc" + (i + 1) + ": weight shape " + Arrays.toString(ws)
            + " and bias shape " + Arrays.toString(bs) + " are not [out, in] and [out]");
      }
      if (!layers.isEmpty() && layers.get(i - 1).out() != ws[1]) {
        throw new InvalidInputException("tensor '" + weightName(i) + "' takes " + ws[1]
            + " inputs but the previous layer gives " + layers.get(i - 1).out());
      }
      layers.add(new DenseLayer((int) ws[1], (int) ws[0], w.data(), b.data()));
    }
    if (layers.isEmpty() || tensors.size() != 2 * layers.size()) {
      throw new InvalidInputException("expected tensors fc1.weight, fc1.bias, ... for "
          + layers.size() + " layers, got " + tensors.keySet());
    }
    return new Mlp(layers);
  }

  /** Name of layer {@code i}'s weight (0-based): {@code fc<i+1>.weight}. */
  public static String weightName(int i) {
    return "fc" + (i + 1) + ".weight";
  }

  /** Name of layer {@code i}'s bias (0-based): {@code fc<i+1>.bias}. */
  public static String biasName(int i) {
    return "fc" + (i + 1) + ".bias";
  }

  private void checkInput(float[] x, int n) {
    if (n < 0 || x.length != (long) n * inputSize()) {
      throw new IllegalArgumentException(
          "input: expected n*inputSize = " + n + "*" + inputSize() + " values, got " + x.length);
    }
  }

  /** Logits of rows [from, from+rows) into {@code dst} (length ≥ rows·outputSize). */
  private void forward(float[] x, int from, int rows, float[] dst) {
    float[] cur = x;
    int off = from * inputSize();
    for (int i = 0; i < layers.size(); i++) {
      DenseLayer l = layers.get(i);
      boolean last = i == layers.size() - 1;
      float[] next = last ? dst : new float[rows * l.out()];
      l.forward(cur, off, rows, !last, next);
      cur = next;
      off = 0;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mlp m && layers.equals(m.layers);
  }

  @Override
  public int hashCode() {
    return layers.hashCode();
  }

  @Override
  public String toString() {
    return "Mlp" + Arrays.toString(sizes());
  }
}
