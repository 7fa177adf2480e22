package nnzip.io.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.tensor.TensorSpec;

/**
 * The weights of a model that keeps all of its data inside the protobuf, keyed and ordered as
 * {@link OnnxWeights} keys them, read from nnzip's wire view with no file system: what channel
 * removal reads, in {@code prune} and in the device dialer alike.
 */
public final class InlineWeights {
  private final List<OnnxWeight> list;
  private final Map<String, OnnxProto.Tensor> tensors;

  private InlineWeights(List<OnnxWeight> list, Map<String, OnnxProto.Tensor> tensors) {
    this.list = Collections.unmodifiableList(list);
    this.tensors = tensors;
  }

  /**
   * Enumerates the weights of {@code model} (not copied: it must not change while this lives).
   *
   * @throws InvalidInputException if a weight's data has the wrong size or is external
   */
  public static InlineWeights of(OnnxProto.Model model) {
    List<OnnxWeight> list = new ArrayList<>();
    Map<String, OnnxProto.Tensor> tensors = new LinkedHashMap<>();
    WeightSites.<RuntimeException>walk(model, (site, t) -> {
      TensorSpec spec = TensorBytes.spec(site.key(), site.dtype(), t);
      WeightStorage storage = TensorBytes.storage(t, site.dtype());
      if (storage == WeightStorage.EXTERNAL) {
        throw new InvalidInputException("tensor '" + site.key() + "': external data in a model held in memory");
      }
      TensorBytes.check(t, spec);
      tensors.put(site.key(), t);
      list.add(new OnnxWeight(site.key(), site.tensorName(), site.depth(), site.placement(), storage, spec, null));
    });
    return new InlineWeights(list, tensors);
  }

  /** All weights in walk order; unmodifiable. */
  public List<OnnxWeight> list() {
    return list;
  }

  /**
   * The raw little-endian bytes of one weight.
   *
   * @return a new array of the weight's byte size
   * @throws IllegalArgumentException if the model has no such weight
   */
  public byte[] bytes(String key) {
    OnnxProto.Tensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException("no weight '" + key + "' in the model");
    }
    return TensorBytes.read(t, list.stream().filter(w -> w.key().equals(key)).findFirst().orElseThrow().spec());
  }
}
