package nnzip.subspace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import nnzip.InvalidInputException;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;
import nnzip.train.WeightBinding;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;

/**
 * Training of a line on the finetuning path: {@link #plan} binds every trainable weight to a
 * {@link LineWeight}, and this regularizer writes each step's α (endpoints with the configured
 * probability, else u^alpha-power for a uniform u; seeded by (seed, epoch, step); under the sandwich
 * rule each of the step's points in turn: both endpoints and draws inside) and the annealed
 * lowest kept fraction into the parameters, and adds the gradient of β·cos²(w0, w1) over the whole
 * model (Wortsman et al.'s term), so a {@code TrainingLoop} over any gradient source trains the line
 * deterministically.
 * Under the global magnitude scope it also ranks the magnitudes of all GLOBAL_MAGNITUDE weights at the
 * step's α on the driver and writes each one's kept count into its parameter ({@link GlobalMagnitude}),
 * so every executor's weight keeps what the one ranking keeps.
 */
public final class LineTraining implements TrainingLoop.Regularizer {
  private final List<String> parameters;
  private final SubspaceSettings settings;
  private final int stepsPerEpoch;
  private final float validationAlpha;
  /** The weights ranked together (GLOBAL_MAGNITUDE), by key; empty under the layer scope. */
  private final Map<String, LineWeight> global;
  /** The epoch under way (set by {@link #startEpoch}); its last step's lowest fraction is validation's. */
  private int epoch = 1;
  /** The global weights' endpoints as seen at step (stepEpoch, stepIndex), for the step's later points. */
  private Map<String, float[][]> stepEndpoints = Map.of();
  private int stepEpoch = -1;
  private int stepIndex = -1;

  /**
   * A line whose points need nothing from other weights (every scope but the global one).
   *
   * @param parameters the line parameters' names (as {@link #plan} made them)
   * @param stepsPerEpoch steps of one epoch (the warm-up is counted in steps)
   * @param validationAlpha the point each epoch's validation accuracy is measured at
   * @throws IllegalArgumentException if {@code settings} rank unstructured magnitudes globally (that
   *     needs the weights: {@link #LineTraining(WeightPlan, SubspaceSettings, int, double)})
   */
  public LineTraining(List<String> parameters, SubspaceSettings settings, int stepsPerEpoch, double validationAlpha) {
    this(parameters, Map.of(), settings, stepsPerEpoch, validationAlpha);
    if (settings.scope() == MagnitudeScope.GLOBAL) {
      throw new IllegalArgumentException("a line of the global magnitude scope trains from its plan, not its names");
    }
  }

  /**
   * The training of a plan's line: its GLOBAL_MAGNITUDE weights are ranked together at every point.
   *
   * @param plan as {@link #plan} made it
   */
  public LineTraining(WeightPlan plan, SubspaceSettings settings, int stepsPerEpoch, double validationAlpha) {
    this(lineParameters(plan), globalWeights(plan), settings, stepsPerEpoch, validationAlpha);
  }

  private LineTraining(List<String> parameters, Map<String, LineWeight> global, SubspaceSettings settings,
      int stepsPerEpoch, double validationAlpha) {
    this.parameters = List.copyOf(parameters);
    this.global = new java.util.TreeMap<>(global);
    this.settings = settings;
    this.stepsPerEpoch = stepsPerEpoch;
    this.validationAlpha = (float) SubspaceKind.checkAlpha(validationAlpha);
  }

  /** The plan's GLOBAL_MAGNITUDE weights by key. */
  private static Map<String, LineWeight> globalWeights(WeightPlan plan) {
    Map<String, LineWeight> out = new LinkedHashMap<>();
    plan.coded().forEach((k, b) -> {
      if (b instanceof LineWeight w && w.compression().mode() == PointCompression.Mode.GLOBAL_MAGNITUDE) {
        out.put(k, w);
      }
    });
    return out;
  }

  /**
   * What a point does to each weight of a model, by weight key (weights not named do nothing).
   *
   * @param model the graph (structured: its channel groups decide which tensors narrow)
   * @param shapes the trainable weights' shapes by key
   * @throws InvalidInputException if a BatchNormalization's running statistics are not initializers
   *     of the graph (the line keeps them per point, see {@link NormLine}), or structured finds no
   *     prunable channel group
   */
  public static Map<String, PointCompression> compressions(ModelProto model, Map<String, long[]> shapes,
      SubspaceKind kind) {
    return compressions(model, shapes, kind, MagnitudeScope.LAYER);
  }

  /** {@link #compressions(ModelProto, Map, SubspaceKind)} with unstructured magnitudes ranked over {@code scope}. */
  public static Map<String, PointCompression> compressions(ModelProto model, Map<String, long[]> shapes,
      SubspaceKind kind, MagnitudeScope scope) {
    return PointCompression.of(new nnzip.io.onnx.OnnxProto.Model(nnzip.io.protobuf.ProtoMessage.parse(
        model.toByteArray())), shapes, kind, scope);
  }

  /**
   * The plan that trains the line: every weight of {@code w0} not frozen bound to a
   * {@link LineWeight} starting at (w0, w1), its points seeing w0 as trained.
   *
   * @param w0 the first endpoint's start, a graph's {@code values()} under {@code WeightPlan.allTrainable}
   * @param w1 the second's, same names and shapes
   * @param frozen keys that stay constant
   */
  public static WeightPlan plan(ModelProto model, ParameterValues w0, ParameterValues w1, Set<String> frozen,
      SubspaceKind kind) {
    return plan(model, w0, w1, frozen, kind, null, Set.of());
  }

  /**
   * The plan that trains the line, the points of the weights in {@code storedDifferences} seeing w0 as
   * the artifact stores it (w0 − w1 coded with {@code codec}, {@link LineWeight#stored}).
   *
   * @param codec the codec of the stored differences, or null (then {@code storedDifferences} is ignored)
   * @param storedDifferences the weight keys whose difference the artifact codes with {@code codec}
   */
  public static WeightPlan plan(ModelProto model, ParameterValues w0, ParameterValues w1, Set<String> frozen,
      SubspaceKind kind, nnzip.codec.ScalarCodec codec, Set<String> storedDifferences) {
    return plan(model, w0, w1, frozen, kind, MagnitudeScope.LAYER, codec, storedDifferences);
  }

  /**
   * The plan that trains the line, unstructured magnitudes ranked over {@code scope} (GLOBAL: train it
   * with {@link #LineTraining(WeightPlan, SubspaceSettings, int, double)}, which writes the counts).
   */
  public static WeightPlan plan(ModelProto model, ParameterValues w0, ParameterValues w1, Set<String> frozen,
      SubspaceKind kind, MagnitudeScope scope, nnzip.codec.ScalarCodec codec, Set<String> storedDifferences) {
    if (!w1.names().equals(w0.names())) {
      throw new IllegalArgumentException("endpoints name different weights: " + w0.names() + " and " + w1.names());
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (int i = 0; i < w0.names().size(); i++) {
      if (!frozen.contains(w0.names().get(i))) {
        shapes.put(w0.names().get(i), w0.shapes().get(i));
      }
    }
    Map<String, PointCompression> c = compressions(model, shapes, kind, scope);
    Map<String, WeightBinding> coded = new LinkedHashMap<>();
    Map<String, WeightPlan.Parameter> params = new LinkedHashMap<>();
    for (int i = 0; i < w0.names().size(); i++) {
      String key = w0.names().get(i);
      if (frozen.contains(key)) {
        continue;
      }
      if (w0.values()[i].length != w1.values()[i].length) {
        throw new IllegalArgumentException("weight '" + key + "': endpoints have " + w0.values()[i].length + " and "
            + w1.values()[i].length + " values");
      }
      LineWeight b = new LineWeight(LineWeight.PREFIX + key, w0.shapes().get(i).clone(),
          c.getOrDefault(key, PointCompression.NONE), storedDifferences.contains(key) ? codec : null);
      coded.put(key, b);
      float[] p = LineWeight.parameter(w0.values()[i], w1.values()[i]);
      params.put(b.parameter(), new WeightPlan.Parameter(new long[] {p.length}, p));
    }
    return new WeightPlan(coded, params, new TreeSet<>(frozen));
  }

  /** The line parameters of a plan, in its order. */
  public static List<String> lineParameters(WeightPlan plan) {
    return new ArrayList<>(plan.parameters().keySet());
  }

  /** The α a step trains (its first point's, where a step trains several). */
  public float alpha(int epoch, int step) {
    return alpha(epoch, step, 0);
  }

  /**
   * The α of a step's point: with one point per step, an endpoint (either, equally) with the endpoint
   * probability, else u^alpha-power for a uniform u, drawn from (seed, epoch, step); with the
   * sandwich rule (several points), point 0 is α = 0, point 1 is α = 1 and each further point draws
   * u^alpha-power from (seed, epoch, step, point).
   */
  public float alpha(int epoch, int step, int point) {
    if (settings.fixed()) {
      return (float) settings.fixedAlpha();
    }
    if (point < 0 || point >= settings.pointsToTrain()) {
      throw new IllegalArgumentException("point " + point + " of a step that trains " + settings.pointsToTrain());
    }
    SplittableRandom rng;
    if (settings.pointsToTrain() > 1) {
      if (point < 2) {
        return point;
      }
      rng = new SplittableRandom(mix(mix(mix(settings.seed(), epoch), step), point));
    } else {
      rng = new SplittableRandom(mix(mix(settings.seed(), epoch), step));
      if (rng.nextDouble() < settings.endpointProbability()) {
        return rng.nextBoolean() ? 1f : 0f;
      }
    }
    // Math.pow(u, 1) is u exactly, so the default draws what a uniform α always drew.
    return (float) Math.pow(rng.nextDouble(), settings.alphaPower());
  }

  /** The kept fraction at α = 0 at a step: annealed from 1 to 0.025 over the warm-up epochs. */
  public float lowest(int epoch, int step) {
    long warm = (long) settings.warmupEpochs() * stepsPerEpoch;
    long t = (long) (epoch - 1) * stepsPerEpoch + step;
    double f = warm == 0 ? 1 : Math.min(1, (double) t / warm);
    return (float) (1 - (1 - SubspaceKind.LOWEST_KEEP) * f);
  }

  @Override
  public void startEpoch(int epoch, ParameterValues params) {
    this.epoch = epoch;
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    startPoint(epoch, step, 0, params);
  }

  @Override
  public int pointsPerStep() {
    return settings.pointsToTrain();
  }

  @Override
  public void startPoint(int epoch, int step, int point, ParameterValues params) {
    float alpha = alpha(epoch, step, point);
    float lowest = lowest(epoch, step);
    set(params, parameters, alpha, lowest);
    if (global.isEmpty()) {
      return;
    }
    // The parameters change only at the step's update, so a step's points rank the same endpoints:
    // the stored difference is quantized once per step, not once per point.
    if (point == 0 || stepEpoch != epoch || stepIndex != step) {
      stepEndpoints = endpointsSeen(params);
      stepEpoch = epoch;
      stepIndex = step;
    }
    writeCounts(params, stepEndpoints, alpha, lowest);
  }

  /**
   * Writes each GLOBAL_MAGNITUDE weight's kept count at (α, lowest) into its last slot, in place; the
   * points ranked are the parameters' own w(α), α as {@link #set} wrote it.
   */
  private void rank(ParameterValues params, float alpha, float lowest) {
    if (global.isEmpty()) {
      return;
    }
    writeCounts(params, endpointsSeen(params), alpha, lowest);
  }

  /** The GLOBAL_MAGNITUDE weights' endpoints as their points see them ({@link LineWeight#endpointsSeen}). */
  private Map<String, float[][]> endpointsSeen(ParameterValues params) {
    Map<String, float[][]> ends = new LinkedHashMap<>();
    global.forEach((k, w) -> ends.put(k, w.endpointsSeen(params.get(w.parameter()))));
    return ends;
  }

  /** Ranks the points at α of {@code ends} and writes each weight's kept count into its last slot. */
  private void writeCounts(ParameterValues params, Map<String, float[][]> ends, float alpha, float lowest) {
    Map<String, float[]> points = new LinkedHashMap<>();
    ends.forEach((k, e) -> points.put(k, LineWeight.point(e[0], e[1], alpha)));
    GlobalMagnitude.keptCounts(points, SubspaceKind.keepFraction(alpha, lowest)).forEach((k, count) -> {
      float[] v = params.get(global.get(k).parameter());
      v[v.length - 1] = GlobalMagnitude.slot(count);
    });
  }

  /**
   * A copy of the parameters at point α after the warm-up, as this line's points see it (the global
   * scope's counts ranked at α).
   */
  public ParameterValues at(ParameterValues params, float alpha) {
    ParameterValues v = at(params, parameters, alpha);
    rank(v, alpha, (float) SubspaceKind.LOWEST_KEEP);
    return v;
  }

  /** Writes α and the lowest kept fraction into every line parameter, in place. */
  public static void set(ParameterValues params, List<String> lineParameters, float alpha, float lowest) {
    for (String p : lineParameters) {
      float[] v = params.get(p);
      v[v.length - 2] = alpha;
      v[v.length - 1] = lowest;
    }
  }

  /** A copy of the parameters at point α after the warm-up (a line of the layer scope). */
  public static ParameterValues at(ParameterValues params, List<String> lineParameters, float alpha) {
    ParameterValues v = params.copy();
    set(v, lineParameters, alpha, (float) SubspaceKind.LOWEST_KEEP);
    return v;
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {
    double beta = settings.cosWeight();
    if (beta == 0) {
      return;
    }
    double[] sums = sums(params, parameters);
    double dot = sums[0];
    double a = sums[1];
    double b = sums[2];
    if (a == 0 || b == 0) {
      return;
    }
    double norm = Math.sqrt(a * b);
    double cos = dot / norm;
    // d cos²/dw0 = 2cos·(w1/(|w0||w1|) − cos·w0/|w0|²), and symmetrically for w1.
    double k = beta * 2 * cos;
    for (String p : parameters) {
      int idx = params.names().indexOf(p);
      float[] v = params.values()[idx];
      float[] g = grads[idx];
      int n = (v.length - 2) / 2;
      for (int i = 0; i < n; i++) {
        g[i] += (float) (k * (v[n + i] / norm - cos * v[i] / a));
        g[n + i] += (float) (k * (v[i] / norm - cos * v[n + i] / b));
      }
    }
  }

  /** cos(w0, w1) over the whole model. */
  public static double cosine(ParameterValues params, List<String> lineParameters) {
    double[] sums = sums(params, lineParameters);
    return sums[0] / Math.sqrt(sums[1] * sums[2]);
  }

  /** {w0·w1, |w0|², |w1|²} over the line parameters, in double. */
  private static double[] sums(ParameterValues params, List<String> lineParameters) {
    double dot = 0;
    double a = 0;
    double b = 0;
    for (String p : lineParameters) {
      float[] v = params.get(p);
      int n = (v.length - 2) / 2;
      for (int i = 0; i < n; i++) {
        dot += (double) v[i] * v[n + i];
        a += (double) v[i] * v[i];
        b += (double) v[n + i] * v[n + i];
      }
    }
    return new double[] {dot, a, b};
  }

  @Override
  public ParameterValues forValidation(ParameterValues params) {
    ParameterValues v = params.copy();
    if (!global.isEmpty()) {
      // The slots hold counts, not the lowest fraction: the epoch's last step's, from the schedule.
      float lowest = lowest(epoch, stepsPerEpoch - 1);
      set(v, parameters, validationAlpha, lowest);
      rank(v, validationAlpha, lowest);
      return v;
    }
    float[] any = parameters.isEmpty() ? null : params.get(parameters.get(0));
    set(v, parameters, validationAlpha, any == null ? 1f : any[any.length - 1]);
    return v;
  }

  private static long mix(long seed, long x) {
    return seed * 0x9E3779B97F4A7C15L + x;
  }
}
