package nnzip.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnzip.graph.WeightBinder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which weights train and how: frozen weights (BatchNorm running statistics, tensors of codecs
 * without trainable parameters) become graph constants, every other weight a graph variable. Coded
 * weights are variables too, but what trains is their {@link WeightBinding}'s parameter (see
 * {@link ParameterSpace}). Serializable, so executors rebuild the same graph and mapping.
 *
 * @param coded bindings by weight key
 * @param parameters initial values and shapes of the binding parameters, by name
 * @param frozen weight keys that stay constant
 */
public record WeightPlan(Map<String, WeightBinding> coded, Map<String, Parameter> parameters, Set<String> frozen)
    implements WeightBinder, Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * A binding parameter's initial value.
   *
   * @param shape its shape
   * @param values row-major values
   */
  public record Parameter(long[] shape, float[] values) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Copies the collections. */
  public WeightPlan {
    coded = new LinkedHashMap<>(coded);
    parameters = new LinkedHashMap<>(parameters);
    frozen = new TreeSet<>(frozen);
  }

  /** Plain training: every weight trains except the frozen ones. */
  public static WeightPlan allTrainable(Set<String> frozen) {
    return new WeightPlan(Map.of(), Map.of(), frozen);
  }

  @Override
  public SDVariable bind(SameDiff sd, String key, INDArray value) {
    String name = nnzip.graph.OnnxGraphImporter.variableName(key);
    return frozen.contains(key) ? sd.constant(name, value) : sd.var(name, value);
  }
}
