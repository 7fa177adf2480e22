package nnzip.finetune;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnzip.graph.WeightBinder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which weights train and how: coded weights through their {@link WeightBinding} (the parameters
 * they share are created on first use, from {@code parameters}), frozen weights (BatchNorm running
 * statistics, tensors of codecs without trainable parameters) as constants, every other weight as
 * a trainable variable of its own. Serializable, so executors rebuild the same graph.
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
    WeightBinding b = coded.get(key);
    if (b != null) {
      if (!sd.hasVariable(b.parameter())) {
        Parameter p = parameters.get(b.parameter());
        sd.var(b.parameter(), Nd4j.create(p.values().clone(), p.shape(), 'c'));
      }
      return b.build(sd, key);
    }
    return frozen.contains(key) ? sd.constant(key, value) : sd.var(key, value);
  }
}
