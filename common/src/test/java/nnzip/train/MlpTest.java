package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.data.Dataset;
import nnzip.tensor.DType;
import org.junit.jupiter.api.Test;

class MlpTest {

  /** A random MLP with non-zero biases, so a dropped bias would show. */
  static Mlp randomMlp(long seed, int... sizes) {
    SplittableRandom rng = new SplittableRandom(seed);
    Mlp he = Mlp.heUniform(sizes, rng);
    LinkedHashMap<String, FloatTensor> t = he.toTensors();
    for (int i = 0; i < he.layers().size(); i++) {
      float[] b = new float[sizes[i + 1]];
      for (int j = 0; j < b.length; j++) {
        b[j] = (float) rng.nextDouble(-0.5, 0.5);
      }
      t.put(Mlp.biasName(i), FloatTensor.of(Mlp.biasName(i), b, b.length));
    }
    return Mlp.fromTensors(t);
  }

  static float[] randomInput(long seed, int n, int dim) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    return x;
  }

  /** The obvious forward pass in double: h ← relu(W h + b) per layer, no ReLU after the last. */
  static double[] naiveLogits(Mlp mlp, float[] x, int n) {
    List<DenseLayer> layers = mlp.layers();
    double[] out = new double[n * mlp.outputSize()];
    for (int r = 0; r < n; r++) {
      double[] h = new double[mlp.inputSize()];
      for (int k = 0; k < h.length; k++) {
        h[k] = x[r * h.length + k];
      }
      for (int l = 0; l < layers.size(); l++) {
        DenseLayer layer = layers.get(l);
        float[] w = layer.weight();
        float[] b = layer.bias();
        double[] next = new double[layer.out()];
        for (int o = 0; o < layer.out(); o++) {
          double s = b[o];
          for (int k = 0; k < layer.in(); k++) {
            s += (double) w[o * layer.in() + k] * h[k];
          }
          next[o] = l < layers.size() - 1 ? Math.max(0, s) : s;
        }
        h = next;
      }
      System.arraycopy(h, 0, out, r * h.length, h.length);
    }
    return out;
  }

  @Test
  void forwardPassEqualsANaiveReference() {
    Mlp mlp = randomMlp(1, 37, 23, 11, 5);
    int n = 600; // more than one internal chunk of 512 rows
    float[] x = randomInput(2, n, 37);
    float[] logits = mlp.logits(x, n);
    double[] ref = naiveLogits(mlp, x, n);
    assertEquals(ref.length, logits.length);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], logits[i], 1e-5 * (1 + Math.abs(ref[i])), "logit " + i);
    }
  }

  @Test
  void predictIsTheArgmaxOfTheLogits() {
    Mlp mlp = randomMlp(3, 20, 16, 7);
    int n = 1000;
    float[] x = randomInput(4, n, 20);
    double[] ref = naiveLogits(mlp, x, n);
    int[] predicted = mlp.predict(x, n);
    int distinct = 0;
    for (int r = 0; r < n; r++) {
      int best = 0;
      for (int j = 1; j < 7; j++) {
        if (ref[r * 7 + j] > ref[r * 7 + best]) {
          best = j;
        }
      }
      assertEquals(best, predicted[r], "row " + r);
      distinct |= 1 << best;
    }
    assertTrue(Integer.bitCount(distinct) > 1, "all rows predicted the same class: test is vacuous");
  }

  @Test
  void accuracyCountsCorrectPredictions() {
    Mlp mlp = randomMlp(5, 4, 3);
    float[] x = randomInput(6, 50, 4);
    int[] labels = mlp.predict(x, 50);
    for (int i = 0; i < 10; i++) {
      labels[i] = (labels[i] + 1) % 3;
    }
    assertEquals(0.8, mlp.accuracy(new Dataset(x, labels, 50, 4, 3)), 1e-12);
  }

  @Test
  void tensorsRoundTripWithPyTorchNamesAndShapes() {
    Mlp mlp = randomMlp(7, 784, 30, 20, 10);
    LinkedHashMap<String, FloatTensor> t = mlp.toTensors();
    assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"),
        List.copyOf(t.keySet()));
    assertArrayEquals(new long[] {30, 784}, t.get("fc1.weight").spec().shape());
    assertArrayEquals(new long[] {30}, t.get("fc1.bias").spec().shape());
    assertArrayEquals(new long[] {10, 20}, t.get("fc3.weight").spec().shape());
    assertEquals(DType.F32, t.get("fc2.weight").spec().dtype());
    // Row-major [out, in]: element (o, i) of fc2.weight is W[o * in + i].
    assertEquals(mlp.layers().get(1).weight()[3 * 30 + 17], t.get("fc2.weight").data()[3 * 30 + 17]);
    Mlp back = Mlp.fromTensors(t);
    assertEquals(mlp, back);
    assertArrayEquals(new int[] {784, 30, 20, 10}, back.sizes());
  }

  @Test
  void fromTensorsRejectsMissingExtraOrMisshapedTensors() {
    LinkedHashMap<String, FloatTensor> t = randomMlp(8, 6, 4, 2).toTensors();

    LinkedHashMap<String, FloatTensor> noBias = new LinkedHashMap<>(t);
    noBias.remove("fc2.bias");
    assertThrows(InvalidInputException.class, () -> Mlp.fromTensors(noBias));

    LinkedHashMap<String, FloatTensor> extra = new LinkedHashMap<>(t);
    extra.put("fc4.weight", FloatTensor.of("fc4.weight", new float[4], 2, 2));
    assertThrows(InvalidInputException.class, () -> Mlp.fromTensors(extra));

    LinkedHashMap<String, FloatTensor> transposed = new LinkedHashMap<>(t);
    transposed.put("fc2.weight", FloatTensor.of("fc2.weight", new float[8], 4, 2));
    assertThrows(InvalidInputException.class, () -> Mlp.fromTensors(transposed));

    LinkedHashMap<String, FloatTensor> flat = new LinkedHashMap<>(t);
    flat.put("fc1.weight", FloatTensor.of("fc1.weight", new float[24], 24));
    assertThrows(InvalidInputException.class, () -> Mlp.fromTensors(flat));

    assertThrows(InvalidInputException.class, () -> Mlp.fromTensors(new LinkedHashMap<>()));
  }

  @Test
  void layersMustChain() {
    DenseLayer a = new DenseLayer(4, 3, new float[12], new float[3]);
    DenseLayer b = new DenseLayer(2, 1, new float[2], new float[1]);
    assertThrows(IllegalArgumentException.class, () -> new Mlp(List.of(a, b)));
    assertThrows(IllegalArgumentException.class, () -> new DenseLayer(4, 3, new float[11], new float[3]));
  }

  @Test
  void valuesAreImmutable() {
    float[] w = {1, 2};
    DenseLayer layer = new DenseLayer(2, 1, w, new float[1]);
    w[0] = 99;
    layer.weight()[1] = 99;
    assertArrayEquals(new float[] {1, 2}, layer.weight());
  }

  @Test
  void heUniformIsSeededAndBounded() {
    Mlp a = Mlp.heUniform(new int[] {100, 50, 10}, new SplittableRandom(9));
    assertEquals(a, Mlp.heUniform(new int[] {100, 50, 10}, new SplittableRandom(9)));
    assertNotEquals(a, Mlp.heUniform(new int[] {100, 50, 10}, new SplittableRandom(10)));
    double bound = Math.sqrt(6.0 / 100);
    float max = 0;
    for (float v : a.layers().get(0).weight()) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max <= bound && max > 0.9 * bound, "max |w| " + max + " vs bound " + bound);
  }

  @Test
  void inputOfTheWrongLengthIsRejected() {
    Mlp mlp = randomMlp(11, 4, 2);
    assertThrows(IllegalArgumentException.class, () -> mlp.predict(new float[7], 2));
  }
}
