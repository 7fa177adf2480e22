package nnzip.io.onnx;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import nnzip.InvalidInputException;
import nnzip.tensor.TensorSpec;

/**
 * Writes weights back into an ONNX graph, each as {@code raw_data} in its original place
 * (initializer, Constant node, subgraph), with every other field of the model untouched. Keys and
 * byte layout are those of {@link OnnxWeights}: raw little-endian elements, row-major. Written over
 * nnzip's own wire view ({@link OnnxProto}), so {@code decompress}, {@code dial} and the device
 * dialer restore a model with the same code and no protobuf runtime.
 */
public final class OnnxWeightWriter {
  private OnnxWeightWriter() {}

  /**
   * Rebuilds a full model from a stripped graph ({@link OnnxWeights#strippedBytes()}) and the
   * bytes of all its weights.
   *
   * @param stripped the serialized stripped model
   * @param weights key → raw little-endian bytes, each of exactly the weight's byte size, one entry
   *     for every weight of the stripped graph and no other; the arrays are copied
   * @return the model with all weights as raw_data
   * @throws InvalidInputException if the bytes are not an ONNX model, or a weight is missing, has
   *     the wrong size, or is not in the graph
   */
  public static OnnxProto.Model restore(byte[] stripped, Map<String, byte[]> weights) {
    return put(OnnxProto.Model.parse(stripped, "stripped graph"), weights, true);
  }

  /**
   * {@link #restore} serialized; the model must stay under the protobuf limit of 2 GiB (keep the
   * data of larger ones external).
   */
  public static byte[] restoreBytes(byte[] stripped, Map<String, byte[]> weights) {
    return restore(stripped, weights).toByteArray();
  }

  /**
   * Replaces some weights of a model; the others keep their data exactly as stored, external
   * references included (which then resolve against the directory the result is written to).
   *
   * @param model any model, stripped or not; not changed
   * @param weights key → raw little-endian bytes of exactly the weight's byte size; the arrays are copied
   * @return a new model with those weights as raw_data
   * @throws InvalidInputException if a weight has the wrong size or is not in the model
   */
  public static OnnxProto.Model replace(OnnxProto.Model model, Map<String, byte[]> weights) {
    return put(model.copy(), weights, false);
  }

  private static OnnxProto.Model put(OnnxProto.Model b, Map<String, byte[]> weights, boolean requireAll) {
    Objects.requireNonNull(weights, "weights");
    Set<String> used = new HashSet<>();
    WeightSites.walk(b, (site, t) -> {
      byte[] bytes = weights.get(site.key());
      if (bytes == null) {
        if (requireAll) {
          throw new InvalidInputException("weight '" + site.key() + "' is missing from the restored weights");
        }
        return;
      }
      TensorSpec spec = TensorBytes.spec(site.key(), site.dtype(), t);
      if (bytes.length != spec.byteSize()) {
        throw new InvalidInputException("weight '" + site.key() + "': got " + bytes.length + " bytes, expected "
            + spec.byteSize() + " for " + spec);
      }
      t.setRawData(bytes);
      used.add(site.key());
    });
    if (used.size() != weights.size()) {
      Set<String> unknown = new TreeSet<>(weights.keySet());
      unknown.removeAll(used);
      throw new InvalidInputException("no weight '" + unknown.iterator().next() + "' in the model ("
          + unknown.size() + " unknown key(s))");
    }
    return b;
  }
}
