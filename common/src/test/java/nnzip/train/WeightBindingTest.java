package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.graph.ImportedGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradients of the finetune parameterizations (dp levels, uniform min and step, aq codebooks with
 * frozen codes) through a real SameDiff classifier agree with central finite differences of the
 * summed cross entropy, computed independently in double precision in plain Java.
 */
class WeightBindingTest {
  private static final int IN = 5;
  private static final int OUT = 3;
  private static final int N = 6;

  private static float[] uniform(SplittableRandom rng, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (scale * (rng.nextDouble() * 2 - 1));
    }
    return v;
  }

  /** logits = x · W + b with W [IN, OUT] a trainable weight bound by the plan. */
  private static TrainingGraph linearGraph(WeightPlan plan, float[] w, float[] b) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, IN);
    SDVariable wv = plan.bind(sd, "W", Nd4j.create(w.clone(), new long[] {IN, OUT}, 'c'));
    SDVariable bv = plan.bind(sd, "b", Nd4j.create(b.clone(), new long[] {OUT}, 'c'));
    sd.mmul(x, wv).add("logits", bv);
    ImportedGraph g = new ImportedGraph(sd, "x", new long[] {IN}, "logits", "logits", OUT, List.of("W", "b"), List.of());
    return TrainingGraph.of(g, plan);
  }

  /** Σ cross entropy of x · W + b, in double. */
  private static double loss(float[] x, int[] y, float[] w, float[] b) {
    double total = 0;
    for (int i = 0; i < N; i++) {
      double[] z = new double[OUT];
      double max = Double.NEGATIVE_INFINITY;
      for (int o = 0; o < OUT; o++) {
        z[o] = b[o];
        for (int j = 0; j < IN; j++) {
          z[o] += (double) x[i * IN + j] * w[j * OUT + o];
        }
        max = Math.max(max, z[o]);
      }
      double sum = 0;
      for (double v : z) {
        sum += Math.exp(v - max);
      }
      total += max + Math.log(sum) - z[y[i]];
    }
    return total;
  }

  private static void checkAgainstFiniteDifferences(WeightBinding binding, float[] param, long[] paramShape) {
    checkAgainstFiniteDifferences(binding, param, paramShape, param.length);
  }

  /** As above; entries from {@code trained} on (aq's codes) must get a zero gradient. */
  private static void checkAgainstFiniteDifferences(WeightBinding binding, float[] param, long[] paramShape,
      int trained) {
    SplittableRandom rng = new SplittableRandom(11);
    float[] x = uniform(rng, N * IN, 1);
    int[] y = new int[N];
    for (int i = 0; i < N; i++) {
      y[i] = rng.nextInt(OUT);
    }
    float[] b = uniform(rng, OUT, 0.3);
    WeightPlan plan = new WeightPlan(Map.of("W", binding),
        Map.of(binding.parameter(), new WeightPlan.Parameter(paramShape, param)), Set.of());
    TrainingGraph g = linearGraph(plan, binding.decode(param), b);
    assertEquals(List.of(binding.parameter(), "b"), g.trainable());
    ParameterValues p = g.values();
    g.setValues(p);
    ChunkGradient grad = g.gradient(x, y, N);
    assertEquals(loss(x, y, binding.decode(param), b), grad.lossSum(), 1e-4);
    float[] dParam = grad.gradients()[0];
    int nonZero = 0;
    for (int j = trained; j < param.length; j++) {
      assertEquals(0f, dParam[j], "entry " + j + " does not train");
    }
    for (int j = 0; j < trained; j++) {
      float h = 1e-2f;
      float[] up = param.clone();
      float[] down = param.clone();
      up[j] += h;
      down[j] -= h;
      double fd = (loss(x, y, binding.decode(up), b) - loss(x, y, binding.decode(down), b)) / (up[j] - down[j]);
      assertEquals(fd, dParam[j], 1e-3 * Math.max(1, Math.abs(fd)), "parameter entry " + j);
      if (Math.abs(fd) > 1e-6) {
        nonZero++;
      }
    }
    assertTrue(nonZero > trained / 3, "the check covers used entries: " + nonZero + " of " + trained);
    // The bias trains as it is: its gradient is Σ (softmax − onehot).
    float[] dBias = grad.gradients()[1];
    for (int o = 0; o < OUT; o++) {
      float[] up = b.clone();
      float[] down = b.clone();
      up[o] += 1e-2f;
      down[o] -= 1e-2f;
      double fd = (loss(x, y, binding.decode(param), up) - loss(x, y, binding.decode(param), down)) / (up[o] - down[o]);
      assertEquals(fd, dBias[o], 1e-3 * Math.max(1, Math.abs(fd)));
    }
  }

  @Test
  void dpLevelGradientsMatchFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(3);
    int k = 4;
    int[] index = new int[IN * OUT];
    for (int i = 0; i < index.length; i++) {
      index[i] = (i / OUT) * k + rng.nextInt(k); // per-row (channel) levels
    }
    float[] levels = uniform(rng, IN * k, 1);
    checkAgainstFiniteDifferences(new WeightBinding.Dp("levels", index, new long[] {IN, OUT}), levels,
        new long[] {IN * k});
  }

  @Test
  void aqCodebookGradientsMatchFiniteDifferencesWithAPaddedLastSubvector() {
    SplittableRandom rng = new SplittableRandom(5);
    int m = 2;
    int k = 4;
    int d = 4; // 15 weights = 4 subvectors, the last one padded by 1
    int subs = 4;
    float[] param = new float[m * k * d + subs * m];
    float[] books = uniform(rng, m * k * d, 1);
    System.arraycopy(books, 0, param, 0, books.length);
    for (int i = 0; i < subs * m; i++) {
      param[m * k * d + i] = rng.nextInt(k); // subvector s, codebook c at s·M + c
    }
    checkAgainstFiniteDifferences(new WeightBinding.Aq("books", m, k, d, m * k * d, 0.7f, new long[] {IN, OUT}),
        param, new long[] {param.length}, m * k * d);
  }

  @Test
  void uniformMinAndStepGradientsMatchFiniteDifferencesAndDecodeAsTheCodecDoes() {
    SplittableRandom rng = new SplittableRandom(7);
    int k = 8;
    int[] codes = new int[IN * OUT];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = rng.nextInt(k);
    }
    float[] min = uniform(rng, IN, 1);
    float[] step = uniform(rng, IN, 0.2);
    for (int c = 0; c < IN; c++) {
      step[c] = Math.abs(step[c]) + 0.01f;
    }
    float[] minAndStep = new float[2 * IN];
    System.arraycopy(min, 0, minAndStep, 0, IN);
    System.arraycopy(step, 0, minAndStep, IN, IN);
    nnzip.codec.TensorLayout rows = nnzip.codec.TensorLayout.rows(IN * OUT, IN); // per-row (channel) min and step
    WeightBinding.Uniform u = new WeightBinding.Uniform("range", codes, 3, rows, new long[] {IN, OUT});
    float[] byCodec = new float[codes.length];
    new nnzip.codec.uniform.UniformCodec(3).restore(rows,
        Map.of(nnzip.codec.uniform.UniformCodec.MIN, min, nnzip.codec.uniform.UniformCodec.STEP, step))
        .decode(codes, codes.length, 0, byCodec);
    org.junit.jupiter.api.Assertions.assertArrayEquals(byCodec, u.decode(minAndStep), "the codec's decode, bit for bit");
    checkAgainstFiniteDifferences(u, minAndStep, new long[] {2 * IN});
  }
}
