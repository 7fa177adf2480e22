package nnzip.train.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import nnzip.graph.ChainLayer;
import nnzip.graph.ChainNode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The residual, BatchNorm and pooling steps' backward passes against central finite differences of
 * L = Σ r·y (r fixed and random), BatchNorm's outputs against their closed form, and a residual graph's
 * weight gradients through the whole engine against finite differences of its loss.
 */
class ChainStepsTest {
  private static final int N = 5;
  private static final float H = 1e-2f;

  @Test
  void batchNormOnBatchStatisticsBacksUpLikeFiniteDifferences() {
    ChainLayer.BatchNorm l = new ChainLayer.BatchNorm("g", "b", "m", "v", 1e-5f, 3, 4, true);
    assertStepMatchesFiniteDifferences(() -> new BatchNormStep(l, N), 12, batchNormWeights(3, 1));
  }

  @Test
  void batchNormOnRunningStatisticsBacksUpLikeFiniteDifferences() {
    ChainLayer.BatchNorm l = new ChainLayer.BatchNorm("g", "b", "m", "v", 1e-5f, 3, 4, false);
    assertStepMatchesFiniteDifferences(() -> new BatchNormStep(l, N), 12, batchNormWeights(3, 2));
  }

  @Test
  void globalAveragePoolBacksUpLikeFiniteDifferences() {
    ChainLayer.GlobalAveragePool l = new ChainLayer.GlobalAveragePool(3, 6);
    assertStepMatchesFiniteDifferences(() -> new GlobalAveragePoolStep(l, N), 18, Map.of());
  }

  /**
   * On batch statistics every channel of y comes out with mean β and biased variance γ²·σ²/(σ² + ε),
   * σ² the channel's variance, which the step also reports with the mean.
   */
  @Test
  void batchNormOnBatchStatisticsGivesEachChannelMeanBetaAndVarianceGammaSquared() {
    int channels = 3;
    int s = 4;
    float eps = 0.5f; // large, so that the ε term shows in the variance
    Map<String, INDArray> w = batchNormWeights(channels, 3);
    BatchNormStep step = new BatchNormStep(new ChainLayer.BatchNorm("g", "b", "m", "v", eps, channels, s, true), N);
    float[] x = random(N * channels * s, 4, 2.0);
    float[] y = flat(step.forward(Nd4j.create(x, new long[] {N, channels * s}, 'c'), w::get));
    float[][] stats = step.batchStatistics();
    float[] gamma = w.get("g").toFloatVector();
    float[] beta = w.get("b").toFloatVector();
    for (int c = 0; c < channels; c++) {
      double[] xs = channel(x, c, channels, s);
      double[] ys = channel(y, c, channels, s);
      double var = variance(xs);
      assertEquals(mean(xs), stats[0][c], 1e-5, "batch mean of channel " + c);
      assertEquals(var, stats[1][c], 1e-5, "batch variance of channel " + c);
      assertEquals(beta[c], mean(ys), 1e-5, "output mean of channel " + c);
      assertEquals(gamma[c] * gamma[c] * var / (var + eps), variance(ys), 1e-5, "output variance of channel " + c);
    }
  }

  /** On running statistics the layer is the affine map the statistics define, whatever the batch. */
  @Test
  void batchNormOnRunningStatisticsIsTheAffineMapTheyDefine() {
    Map<String, INDArray> w = batchNormWeights(2, 5);
    BatchNormStep step = new BatchNormStep(new ChainLayer.BatchNorm("g", "b", "m", "v", 1e-3f, 2, 3, false), N);
    float[] x = random(N * 6, 6, 1.0);
    float[] y = flat(step.forward(Nd4j.create(x, new long[] {N, 6}, 'c'), w::get));
    float[] g = w.get("g").toFloatVector();
    float[] b = w.get("b").toFloatVector();
    float[] m = w.get("m").toFloatVector();
    float[] v = w.get("v").toFloatVector();
    for (int i = 0; i < x.length; i++) {
      int c = i / 3 % 2;
      assertEquals(g[c] * (x[i] - m[c]) / Math.sqrt(v[c] + 1e-3) + b[c], y[i], 1e-5, "element " + i);
    }
  }

  @Test
  void addGivesBothBranchesTheOutputGradientInSeparateBuffers() {
    AddStep add = new AddStep(N, 4);
    INDArray a = Nd4j.create(random(N * 4, 7, 1.0), new long[] {N, 4}, 'c');
    INDArray b = Nd4j.create(random(N * 4, 8, 1.0), new long[] {N, 4}, 'c');
    assertArrayEquals(flat(a.add(b)), flat(add.forward(a, b)));
    INDArray gy = Nd4j.create(random(N * 4, 9, 1.0), new long[] {N, 4}, 'c');
    float[] want = flat(gy);
    INDArray[] g = add.backward(gy);
    g[0].muli(0); // one branch's steps may overwrite its gradient
    assertArrayEquals(want, flat(g[1]));
  }

  /**
   * conv → BN → ReLU → conv → BN, joined with a 1×1-conv + BN shortcut, ReLU, pooled, dense: every
   * weight's gradient of the summed cross-entropy against finite differences of the loss.
   */
  @Test
  void aResidualGraphsWeightGradientsMatchFiniteDifferences() {
    int c = 3;
    int side = 4;
    int[] map = {c, side, side};
    int[] one = {1, 1};
    int[] three = {3, 3};
    List<ChainNode> nodes = List.of(
        node(new ChainLayer.Conv("c1", null, new int[] {2, side, side}, map, three, one, one, one), 0), // 1
        node(new ChainLayer.BatchNorm("g1", "b1", "m1", "v1", 1e-5f, c, side * side, true), 1), // 2
        node(new ChainLayer.Relu(c * side * side), 2), // 3
        node(new ChainLayer.Conv("c2", null, map, map, three, one, one, one), 3), // 4
        node(new ChainLayer.BatchNorm("g2", "b2", "m2", "v2", 1e-5f, c, side * side, true), 4), // 5
        node(new ChainLayer.Conv("s", null, new int[] {2, side, side}, map, one, one, new int[] {0, 0}, one), 0), // 6
        node(new ChainLayer.BatchNorm("g3", "b3", "m3", "v3", 1e-5f, c, side * side, true), 6), // 7
        new ChainNode(new ChainLayer.Add(c * side * side), new int[] {5, 7}), // 8
        node(new ChainLayer.Relu(c * side * side), 8), // 9
        new ChainNode(new ChainLayer.Add(c * side * side), new int[] {9, 3}), // 10: a second join onto a ReLU output
        node(new ChainLayer.GlobalAveragePool(c, side * side), 10), // 11
        node(new ChainLayer.Dense("fc", true, "fb", c, 4), 11)); // 12
    Map<String, INDArray> w = new HashMap<>();
    SplittableRandom rng = new SplittableRandom(10);
    w.put("c1", gaussian(rng, 0.4, c, 2, 3, 3));
    w.put("c2", gaussian(rng, 0.3, c, c, 3, 3));
    w.put("s", gaussian(rng, 0.5, c, 2, 1, 1));
    for (int b = 1; b <= 3; b++) {
      String suffix = Integer.toString(b);
      batchNormWeights(c, 20 + b).forEach((k, v) -> w.put(k + suffix, v));
    }
    w.put("fc", gaussian(rng, 0.5, 4, c));
    w.put("fb", gaussian(rng, 0.1, 4));
    ChainEngine engine = new ChainEngine(nodes, 2 * side * side, 4);
    float[] x = random(N * 2 * side * side, 11, 1.0);
    int[] y = {0, 3, 1, 2, 3};
    ChainEngine.Result r = engine.gradient(x, y, null, N, w::get);
    assertEquals(6, r.batchStats().size(), "a mean and a variance per BatchNorm");
    for (String key : List.of("c1", "c2", "s", "g1", "b1", "g2", "g3", "b3", "fc", "fb")) {
      float[] v = w.get(key).data().asFloat();
      float[] fd = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        float keep = v[i];
        float h = 1e-3f; // smaller than the steps' H: more ReLUs between the weight and the loss
        w.get(key).data().put(i, keep + h);
        double up = engine.gradient(x, y, null, N, w::get).loss();
        w.get(key).data().put(i, keep - h);
        double down = engine.gradient(x, y, null, N, w::get).loss();
        w.get(key).data().put(i, keep);
        fd[i] = (float) ((up - down) / (2 * h));
      }
      assertClose(fd, r.gradients().get(key), key);
    }
  }

  private static float[] flat(INDArray a) {
    return a.dup('c').data().asFloat();
  }

  private static ChainNode node(ChainLayer l, int input) {
    return new ChainNode(l, new int[] {input});
  }

  /** Checks ∂L/∂x and every weight gradient of one step, L = Σ r·step(x). */
  private static void assertStepMatchesFiniteDifferences(Supplier<Step> make, int size, Map<String, INDArray> w) {
    float[] x = random(N * size, 12, 1.5);
    Step step = make.get();
    INDArray out = step.forward(Nd4j.create(x.clone(), new long[] {N, size}, 'c'), w::get);
    float[] rOut = random(Math.toIntExact(out.length()), 13, 1.0);
    Map<String, float[]> grads = new HashMap<>();
    float[] gx = flat(step.backward(Nd4j.create(rOut.clone(), out.shape(), 'c'), true, w::get, grads));
    Function<float[], Double> loss = v -> {
      float[] yv = flat(make.get().forward(Nd4j.create(v.clone(), new long[] {N, size}, 'c'), w::get));
      double l = 0;
      for (int i = 0; i < yv.length; i++) {
        l += (double) rOut[i] * yv[i];
      }
      return l;
    };
    float[] fd = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      float[] p = x.clone();
      p[i] += H;
      float[] m = x.clone();
      m[i] -= H;
      fd[i] = (float) ((loss.apply(p) - loss.apply(m)) / (2 * H));
    }
    assertClose(fd, gx, "input gradient");
    for (Map.Entry<String, float[]> g : grads.entrySet()) {
      INDArray weight = w.get(g.getKey());
      float[] wfd = new float[g.getValue().length];
      for (int i = 0; i < wfd.length; i++) {
        float keep = weight.getFloat(i);
        weight.data().put(i, keep + H);
        double up = loss.apply(x);
        weight.data().put(i, keep - H);
        double down = loss.apply(x);
        weight.data().put(i, keep);
        wfd[i] = (float) ((up - down) / (2 * H));
      }
      assertClose(wfd, g.getValue(), g.getKey());
    }
  }

  private static Map<String, INDArray> batchNormWeights(int channels, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, INDArray> w = new HashMap<>();
    w.put("g", uniform(rng, channels, 0.5, 1.5));
    w.put("b", uniform(rng, channels, -0.5, 0.5));
    w.put("m", uniform(rng, channels, -0.5, 0.5));
    w.put("v", uniform(rng, channels, 0.5, 1.5));
    return w;
  }

  private static INDArray uniform(SplittableRandom rng, int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextDouble(lo, hi);
    }
    return Nd4j.create(v, new long[] {n}, 'c');
  }

  private static INDArray gaussian(SplittableRandom rng, double scale, long... shape) {
    float[] v = new float[Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact))];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * scale);
    }
    return Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
  }

  private static float[] random(int n, long seed, double scale) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rng.nextGaussian() * scale);
    }
    return v;
  }

  private static double[] channel(float[] v, int c, int channels, int s) {
    double[] out = new double[v.length / channels];
    for (int e = 0, k = 0; e < v.length / (channels * s); e++) {
      for (int i = 0; i < s; i++) {
        out[k++] = v[(e * channels + c) * s + i];
      }
    }
    return out;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }

  private static double variance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double d : v) {
      s += (d - m) * (d - m);
    }
    return s / v.length;
  }

  /** Equal within 1% of the largest magnitude (float differences of step 1e-2). */
  private static void assertClose(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + " length");
    double scale = 0;
    for (float v : want) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 1e-3, what + " is all zero, which tests nothing");
    assertArrayEquals(want, got, (float) (1e-2 * scale), what);
  }
}
