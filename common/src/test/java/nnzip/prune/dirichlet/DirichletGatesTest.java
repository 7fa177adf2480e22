package nnzip.prune.dirichlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.graph.GraphMode;
import nnzip.model.Architecture;
import nnzip.train.ChunkGradient;
import nnzip.train.GradientSource;
import nnzip.train.GraphSetup;
import nnzip.train.Optimizer;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingState;
import nnzip.train.WeightPlan;
import onnx.Onnx;
import org.junit.jupiter.api.Test;

/**
 * Gate training on the finetuning path: the whole network's gate gradients against finite
 * differences of its loss and against SameDiff, the KL term moving the gates on its own, and the
 * per-step noise being a function of (seed, epoch, step, layer).
 */
class DirichletGatesTest {
  private static final int N = 6;
  private static final int SIDE = 16;
  private static final int CLASSES = 3;

  /** LeNet-5's three hidden layers gated: conv1 (20), conv2 (50), fc1 (500). */
  static List<DirichletGates.Gate> lenet5Gates() {
    return List.of(
        new DirichletGates.Gate("conv1", 20, Map.of("conv1.weight", 0, "conv1.bias", 0)),
        new DirichletGates.Gate("conv2", 50, Map.of("conv2.weight", 0, "conv2.bias", 0)),
        new DirichletGates.Gate("fc1", 500, Map.of("fc1.weight", 0, "fc1.bias", 0)));
  }

  @Test
  void networkGateGradientsMatchFiniteDifferencesAndSameDiff() {
    Onnx.ModelProto m = Architecture.LENET5.build(new int[] {1, SIDE, SIDE}, CLASSES, 21);
    GateSettings settings = new GateSettings(0.5, 0, 1.0, 3);
    TrainingGraph plain = new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.TRAINING).build();
    ParameterValues weights = randomBiases(plain.values());
    WeightPlan plan = DirichletGates.plan(lenet5Gates(), weights, Set.of(), settings);
    GraphSetup setup = new GraphSetup(m.toByteArray(), plan, GraphMode.TRAINING);
    TrainingGraph chain = setup.build();
    TrainingGraph sameDiff = setup.build().sameDiffOnly();
    assertTrue(chain.usesChainKernels());
    assertEquals(List.of("nnzip.gate:conv1", "nnzip.gate:conv2", "nnzip.gate:fc1"), chain.trainable());

    ParameterValues p = chain.values();
    SplittableRandom rng = new SplittableRandom(9);
    for (float[] v : p.values()) {
      for (int c = 0; c < v.length / 2; c++) {
        v[c] = (float) rng.nextDouble(-1, 1.5); // non-uniform gates
      }
    }
    float[] x = new float[N * SIDE * SIDE];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    int[] y = rng.ints(N, 0, CLASSES).toArray();
    for (boolean sampled : new boolean[] {false, true}) {
      ParameterValues at = p.copy();
      if (sampled) {
        new DirichletGates(lenet5Gates(), settings).startStep(1, 4, at);
      }
      chain.setValues(at);
      sameDiff.setValues(at);
      ChunkGradient g = chain.gradient(x, y, N);
      ChunkGradient ref = sameDiff.gradient(x, y, N);
      for (int l = 0; l < 3; l++) {
        float[] gl = g.gradients()[l];
        double scale = Arrays.stream(toDouble(gl)).map(Math::abs).max().orElse(0);
        assertTrue(scale > 1e-4, "the loss depends on gate " + l);
        for (int c = 0; c < gl.length; c++) {
          assertEquals(ref.gradients()[l][c], gl[c], 1e-3 * scale, "SameDiff, gate " + l + " channel " + c);
        }
        for (int c = gl.length / 2; c < gl.length; c++) {
          assertEquals(0f, gl[c], "the noise slots do not train");
        }
        // Finite differences on 6 channels per layer (float loss: h = 2⁻⁸, tolerance 2% of the largest).
        int channels = gl.length / 2;
        for (int c : new int[] {0, 1, channels / 3, channels / 2, channels - 2, channels - 1}) {
          float h = 1f / 256;
          ParameterValues up = at.copy();
          ParameterValues down = at.copy();
          up.values()[l][c] += h;
          down.values()[l][c] -= h;
          chain.setValues(up);
          double lu = chain.gradient(x, y, N).lossSum();
          chain.setValues(down);
          double ld = chain.gradient(x, y, N).lossSum();
          double fd = (lu - ld) / (2 * h);
          assertEquals(fd, gl[c], 0.02 * scale + 1e-3, (sampled ? "sampled" : "point") + " gate " + l + " channel " + c);
        }
      }
    }
  }

  /** The KL term is on: with zero data gradients, Adam on λ·KL alone moves φ toward α0 and the gates toward uniform. */
  @Test
  void klAloneMovesTheGates() {
    List<DirichletGates.Gate> gates = List.of(new DirichletGates.Gate("a", 4, Map.of("w", 0)));
    float[] start = {-1f, 0f, 1f, 2f, -1, -1, -1, -1};
    ParameterValues p0 = new ParameterValues(List.of("nnzip.gate:a"), List.of(new long[] {8}), new float[][] {start});
    GateSettings on = new GateSettings(0.8, 1.0, 1.0, 1);
    ParameterValues after = train(gates, on, p0, 200);
    DirichletGates reg = new DirichletGates(gates, on);
    assertTrue(reg.kl(after) < 0.1 * reg.kl(p0), "KL " + reg.kl(p0) + " → " + reg.kl(after));
    double[] g0 = reg.pointEstimates(p0).get(0);
    double[] g1 = reg.pointEstimates(after).get(0);
    assertTrue(spread(g1) < 0.3 * spread(g0), "gates " + Arrays.toString(g0) + " → " + Arrays.toString(g1));
    for (int c = 0; c < 4; c++) {
      double phi = DirichletGate.softplus(after.values()[0][c]);
      double phi0 = DirichletGate.softplus(start[c]);
      assertTrue(Math.abs(phi - 0.8) < Math.abs(phi0 - 0.8), "φ_" + c + " " + phi0 + " → " + phi);
    }
    ParameterValues off = train(gates, new GateSettings(0.8, 0, 1.0, 1), p0, 200);
    assertArrayEquals(start, off.values()[0], "no data gradient and no KL: nothing moves");
  }

  @Test
  void noiseIsAFunctionOfSeedEpochStepAndLayer() {
    List<DirichletGates.Gate> gates = lenet5Gates();
    DirichletGates a = new DirichletGates(gates, new GateSettings(0.5, 0, 1, 7));
    ParameterValues p = params(gates);
    ParameterValues q = params(gates);
    a.startStep(2, 5, p);
    new DirichletGates(gates, new GateSettings(0.5, 0, 1, 7)).startStep(2, 5, q);
    assertEquals(p, q);
    ParameterValues r = params(gates);
    a.startStep(2, 6, r);
    assertFalse(Arrays.equals(p.values()[0], r.values()[0]));
    float[] u = Arrays.copyOfRange(p.values()[1], 50, 100);
    for (float v : u) {
      assertTrue(v > 0 && v < 1);
    }
    a.endStep(p);
    assertEquals(params(gates), p, "after the step the point estimate is selected again");
  }

  private static ParameterValues train(List<DirichletGates.Gate> gates, GateSettings s, ParameterValues p0, int steps) {
    GradientSource zero = (params, chunks) -> {
      List<ChunkGradient> out = new ArrayList<>();
      for (int[] rows : chunks) {
        out.add(new ChunkGradient(new float[][] {new float[8]}, 0, 0, rows.length, List.of()));
      }
      return out;
    };
    TrainingPlan plan = new TrainingPlan(steps, 1, 1, 1, 1000, 1);
    Optimizer adam = Optimizer.adam(0.05);
    TrainingState start = TrainingState.start(p0.copy(), Map.of());
    TrainingLoop loop = new TrainingLoop(plan, adam, List.of()).withRegularizer(new DirichletGates(gates, s));
    return loop.run(start, zero, st -> 0, st -> {}, e -> {}).params();
  }

  private static ParameterValues params(List<DirichletGates.Gate> gates) {
    List<String> names = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    float[][] v = new float[gates.size()][];
    for (int i = 0; i < v.length; i++) {
      DirichletGates.Gate g = gates.get(i);
      names.add(g.parameter());
      shapes.add(new long[] {2L * g.channels()});
      v[i] = new float[2 * g.channels()];
      Arrays.fill(v[i], g.channels(), v[i].length, -1f);
    }
    return new ParameterValues(names, shapes, v);
  }

  private static ParameterValues randomBiases(ParameterValues w) {
    ParameterValues c = w.copy();
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < c.names().size(); i++) {
      if (c.names().get(i).endsWith(".bias")) {
        for (int k = 0; k < c.values()[i].length; k++) {
          c.values()[i][k] = (float) rng.nextDouble(-0.1, 0.1);
        }
      }
    }
    return c;
  }

  private static double spread(double[] g) {
    return Arrays.stream(g).max().orElse(0) - Arrays.stream(g).min().orElse(0);
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
