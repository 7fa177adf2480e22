package nnzip.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * The trainable parameters of a plan over a graph's variables, and the two maps between them:
 * parameters → graph weights (decode the coded weights, copy the others) and graph-weight gradients
 * → parameter gradients (the chain rule of each binding, summed in a fixed order). Parameters are
 * the binding parameters in order of first use, then the uncoded graph variables in graph order.
 */
public final class ParameterSpace implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final WeightPlan plan;
  private final List<String> graphNames;
  private final List<long[]> graphShapes;
  private final List<String> names = new ArrayList<>();
  private final List<long[]> shapes = new ArrayList<>();

  /**
   * @param graphNames the graph's trainable variable names, in graph order
   * @param graphShapes their shapes
   */
  public ParameterSpace(WeightPlan plan, List<String> graphNames, List<long[]> graphShapes) {
    this.plan = plan;
    this.graphNames = List.copyOf(graphNames);
    this.graphShapes = List.copyOf(graphShapes);
    for (String g : graphNames) {
      WeightBinding b = plan.coded().get(g);
      if (b != null && !names.contains(b.parameter())) {
        names.add(b.parameter());
        shapes.add(plan.parameters().get(b.parameter()).shape());
      }
    }
    for (int i = 0; i < graphNames.size(); i++) {
      if (!plan.coded().containsKey(graphNames.get(i))) {
        names.add(graphNames.get(i));
        shapes.add(graphShapes.get(i));
      }
    }
  }

  /** The starting parameters: binding parameters from the plan, the rest from the graph's values. */
  public ParameterValues initial(ParameterValues graphValues) {
    float[][] v = new float[names.size()][];
    for (int i = 0; i < v.length; i++) {
      WeightPlan.Parameter p = plan.parameters().get(names.get(i));
      v[i] = p != null ? p.values().clone() : graphValues.get(names.get(i)).clone();
    }
    return new ParameterValues(names, shapes, v);
  }

  /**
   * The graph's weights for these parameters, with what each binding's chain rule reuses
   * ({@link WeightBinding#decodeForGradient}).
   */
  public Decoded decode(ParameterValues params) {
    return decode(params, null);
  }

  /**
   * {@link #decode(ParameterValues)}, each binding given its decode in {@code previous} to reuse
   * ({@link WeightBinding#decodeForGradient}).
   *
   * @param previous this space's decode of other parameters, or null
   */
  public Decoded decode(ParameterValues params, Decoded previous) {
    float[][] v = new float[graphNames.size()][];
    WeightBinding.Decoded[] bound = new WeightBinding.Decoded[graphNames.size()];
    for (int i = 0; i < v.length; i++) {
      WeightBinding b = plan.coded().get(graphNames.get(i));
      if (b != null) {
        bound[i] = b.decodeForGradient(params.get(b.parameter()), previous == null ? null : previous.bound()[i]);
        v[i] = bound[i].weight();
      } else {
        v[i] = params.get(graphNames.get(i));
      }
    }
    return new Decoded(params, new ParameterValues(graphNames, graphShapes, v), bound);
  }

  /**
   * Parameter gradients from graph-weight gradients (in graph order).
   *
   * @param decoded the parameters the graph's weights were decoded from, as {@link #decode} gave them
   */
  public float[][] toParameters(Decoded decoded, float[][] graphGrads) {
    ParameterValues params = decoded.parameters();
    Map<String, float[]> g = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      // Codebooks and levels collect the gradients of their weights; a plain weight's is its own.
      boolean collects = !graphNames.contains(names.get(i)) || plan.coded().containsKey(names.get(i));
      g.put(names.get(i), collects
          ? new float[Math.toIntExact(java.util.Arrays.stream(shapes.get(i)).reduce(1, Math::multiplyExact))] : null);
    }
    for (int i = 0; i < graphNames.size(); i++) {
      WeightBinding b = plan.coded().get(graphNames.get(i));
      if (b != null) {
        b.addGradient(params.get(b.parameter()), decoded.bound()[i], graphGrads[i], g.get(b.parameter()));
      } else {
        g.put(graphNames.get(i), graphGrads[i]);
      }
    }
    return g.values().toArray(new float[0][]);
  }

  /**
   * Parameters decoded to the graph's weights.
   *
   * @param parameters what was decoded
   * @param weights the graph's weights, in graph order
   * @param bound per graph weight, its binding's decode (null for a weight no binding codes)
   */
  public record Decoded(ParameterValues parameters, ParameterValues weights, WeightBinding.Decoded[] bound) {
    /**
     * This decode without the weights (null), all that {@link #toParameters} and a later
     * {@link #decode(ParameterValues, Decoded)} read: a training graph keeps it after copying the
     * weights into its variables, so it does not hold a second copy of every weight.
     */
    public Decoded withoutWeights() {
      WeightBinding.Decoded[] b = new WeightBinding.Decoded[bound.length];
      for (int i = 0; i < b.length; i++) {
        b[i] = bound[i] == null ? null : bound[i].withoutWeight();
      }
      return new Decoded(parameters, null, b);
    }
  }

  /** Parameter names, in order. */
  public List<String> names() {
    return List.copyOf(names);
  }
}
