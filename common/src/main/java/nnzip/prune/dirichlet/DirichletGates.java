package nnzip.prune.dirichlet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;
import nnzip.train.WeightBinding;
import nnzip.train.WeightPlan;

/**
 * Dirichlet gate training on the finetuning path: {@link #plan} turns a model's weights into a
 * {@link WeightPlan} whose only trainable parameters are the gates (every weight frozen, the gated
 * ones bound through {@link GatedWeight}), and this regularizer draws each step's gate noise into
 * the parameters and adds λ·∇KL(Dir(φ) ‖ Dir(α0)) to their gradient. So a {@code TrainingLoop} over
 * any {@code GradientSource} (in-process, or Spark's {@code TrainingJob}) trains
 * cross entropy + λ·KL with the weights frozen, deterministically for a seed.
 */
public final class DirichletGates implements TrainingLoop.Regularizer {
  /** Prefix of gate parameter names, followed by the gate's name. */
  public static final String PREFIX = "nnzip.gate:";

  /**
   * One gated layer: its C output channels and the tensors scaled per channel.
   *
   * @param name the gate's name (a layer or group name), unique
   * @param channels C, ≥ 2
   * @param targets weight key → channel axis of every tensor that the channel scales (see {@link GatedWeight})
   */
  public record Gate(String name, int channels, Map<String, Integer> targets) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks the sizes and copies the map. */
    public Gate {
      if (channels < 2) {
        throw new IllegalArgumentException("gate '" + name + "' needs ≥ 2 channels, got " + channels);
      }
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("gate '" + name + "' scales no tensor");
      }
      targets = new LinkedHashMap<>(targets);
    }

    /** The name of its parameter. */
    public String parameter() {
      return PREFIX + name;
    }
  }

  private final List<Gate> gates;
  private final GateSettings settings;

  /** The regularizer of these gates. */
  public DirichletGates(List<Gate> gates, GateSettings settings) {
    this.gates = List.copyOf(gates);
    this.settings = settings;
  }

  /**
   * The plan that trains only the gates: each target weight bound to its gate, every other weight
   * frozen, each gate's parameter at φ = {@code settings.initialConcentration()} with the point
   * estimate selected.
   *
   * @param weights the model's weights as graph variables (names, shapes, values), e.g. a
   *     {@code TrainingGraph}'s {@code values()} under {@link WeightPlan#allTrainable}
   * @param frozen keys that were frozen already (BatchNorm running statistics), kept frozen
   * @throws IllegalArgumentException if a target is not among the weights, is gated twice, or has
   *     no channel axis of C entries
   */
  public static WeightPlan plan(List<Gate> gates, ParameterValues weights, Set<String> frozen, GateSettings settings) {
    Map<String, WeightBinding> coded = new LinkedHashMap<>();
    Map<String, WeightPlan.Parameter> params = new LinkedHashMap<>();
    float p0 = (float) DirichletGate.inverseSoftplus(settings.initialConcentration());
    for (Gate g : gates) {
      if (params.containsKey(g.parameter())) {
        throw new IllegalArgumentException("gate '" + g.name() + "' is given twice");
      }
      for (Map.Entry<String, Integer> t : g.targets().entrySet()) {
        int i = weights.names().indexOf(t.getKey());
        if (i < 0) {
          throw new IllegalArgumentException("gate '" + g.name() + "': no weight '" + t.getKey() + "'");
        }
        if (coded.containsKey(t.getKey())) {
          throw new IllegalArgumentException("weight '" + t.getKey() + "' is gated twice");
        }
        coded.put(t.getKey(), new GatedWeight(g.parameter(), g.channels(), t.getValue(), weights.values()[i].clone(),
            weights.shapes().get(i).clone()));
      }
      float[] v = new float[2 * g.channels()];
      Arrays.fill(v, 0, g.channels(), p0);
      Arrays.fill(v, g.channels(), v.length, -1f);
      params.put(g.parameter(), new WeightPlan.Parameter(new long[] {v.length}, v));
    }
    Set<String> fixed = new TreeSet<>(frozen);
    for (String name : weights.names()) {
      if (!coded.containsKey(name)) {
        fixed.add(name);
      }
    }
    return new WeightPlan(coded, params, fixed);
  }

  /** The gates. */
  public List<Gate> gates() {
    return gates;
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    for (int l = 0; l < gates.size(); l++) {
      float[] v = params.get(gates.get(l).parameter());
      int c = v.length / 2;
      SplittableRandom rng = new SplittableRandom(mix(mix(mix(settings.seed(), epoch), step), l));
      for (int i = 0; i < c; i++) {
        // k·2⁻²⁴ with k in [1, 2²⁴): exact in float and strictly inside (0, 1).
        v[c + i] = rng.nextInt(1, 1 << 24) * 0x1p-24f;
      }
    }
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    if (settings.klWeight() == 0) {
      return;
    }
    for (Gate g : gates) {
      int i = params.names().indexOf(g.parameter());
      float[] v = params.values()[i];
      DirichletGate.addKlGradient(Arrays.copyOf(v, v.length / 2), settings.alpha0(), settings.klWeight(), grads[i]);
    }
  }

  @Override
  public void endStep(ParameterValues params) {
    pointEstimate(params);
  }

  @Override
  public ParameterValues forValidation(ParameterValues params) {
    ParameterValues v = params.copy();
    pointEstimate(v);
    return v;
  }

  /** Σ over the gates of KL(Dir(φ) ‖ Dir(α0)) at these parameters. */
  public double kl(ParameterValues params) {
    double kl = 0;
    for (Gate g : gates) {
      float[] v = params.get(g.parameter());
      kl += DirichletGate.kl(Arrays.copyOf(v, v.length / 2), settings.alpha0());
    }
    return kl;
  }

  /** Per gate, in order, the point-estimate gates g = φ/Σφ (length C each): the channel ranking. */
  public List<double[]> pointEstimates(ParameterValues params) {
    List<double[]> out = new ArrayList<>();
    for (Gate g : gates) {
      float[] v = params.get(g.parameter());
      out.add(DirichletGate.pointEstimate(Arrays.copyOf(v, v.length / 2)));
    }
    return out;
  }

  /** Selects the point estimate in every gate parameter (u ≤ 0), in place. */
  private void pointEstimate(ParameterValues params) {
    for (Gate g : gates) {
      float[] v = params.get(g.parameter());
      Arrays.fill(v, v.length / 2, v.length, -1f);
    }
  }

  private static long mix(long seed, long x) {
    return seed * 0x9E3779B97F4A7C15L + x;
  }
}
