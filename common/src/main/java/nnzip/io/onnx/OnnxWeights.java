package nnzip.io.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.StoredTensor;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Every weight of an ONNX model, wherever it lives: graph initializers, {@code Constant} nodes,
 * nested subgraphs (If branches, Loop and Scan bodies, at any depth) and external data files.
 * All checks happen on construction, so a built instance only fails later on I/O.
 *
 * <p>Keys: a main-graph initializer is keyed by its name, a Constant node by its output name. In a
 * subgraph the key is prefixed by the owning node and attribute, per level: {@code
 * <node>/<attribute>/} for a GRAPH attribute and {@code <node>/<attribute>[<i>]/} for the i-th graph
 * of a GRAPHS attribute, where {@code <node>} is the node's name, or {@code <op_type>@<index>} when it
 * has none (e.g. {@code If_0/then_branch/If_1/else_branch/bias}). An unnamed initializer is {@code
 * initializer@<index>}. A key already taken by an earlier weight in walk order (see below) gets the
 * first free suffix {@code ~2}, {@code ~3}, …, so keys are unique and stable.
 *
 * <p>Order: depth first; per graph its initializers, then its nodes, each node's attributes in
 * order. A weight is a tensor with a numeric or boolean element type ({@link OnnxDataTypes}).
 * Not weights, and left in place with their data: tensors of other types (STRING, COMPLEX, …),
 * Constant nodes given as {@code value_float(s)}, {@code value_int(s)}, {@code value_string(s)} or
 * {@code sparse_value}, sparse initializers, tensor attributes of other ops (e.g. ConstantOfShape),
 * and the graphs of {@code training_info} and model-local {@code functions}.
 */
public final class OnnxWeights {
  private final ModelProto model;
  private final FileSystem fs;
  private final List<OnnxWeight> weights;
  private final Map<String, OnnxWeight> byKey;
  private final Map<String, OnnxProto.Tensor> inline;

  private OnnxWeights(ModelProto model, FileSystem fs, List<OnnxWeight> weights, Map<String, OnnxProto.Tensor> inline) {
    this.model = model;
    this.fs = fs;
    this.weights = Collections.unmodifiableList(weights);
    Map<String, OnnxWeight> m = new LinkedHashMap<>();
    weights.forEach(w -> m.put(w.key(), w));
    this.byKey = Collections.unmodifiableMap(m);
    this.inline = inline;
  }

  /**
   * Enumerates the weights of a model that keeps all data inside the protobuf.
   *
   * @throws InvalidInputException if a weight's data has the wrong size or is external
   */
  public static OnnxWeights of(ModelProto model) {
    try {
      return of(model, null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // no file is touched without a file system
    }
  }

  /**
   * Enumerates the weights of a model whose external data files lie under {@code modelDir}.
   *
   * @param model the parsed model
   * @param fs file system holding the external data, or null when the model has none
   * @param modelDir directory of the model file, against which external locations resolve
   * @throws InvalidInputException naming the tensor or file if a weight's data has the wrong size,
   *     or its external location escapes {@code modelDir}, is missing, or is too short
   * @throws IOException if the file system fails
   */
  public static OnnxWeights of(ModelProto model, FileSystem fs, Path modelDir) throws IOException {
    List<OnnxWeight> weights = new ArrayList<>();
    Map<String, OnnxProto.Tensor> inline = new HashMap<>();
    Map<Path, Long> fileLengths = new HashMap<>();
    WeightSites.<IOException>walk(wire(model), (site, t) -> {
      TensorSpec spec = TensorBytes.spec(site.key(), site.dtype(), t);
      WeightStorage storage = TensorBytes.storage(t, site.dtype());
      StoredTensor external = null;
      if (storage == WeightStorage.EXTERNAL) {
        if (fs == null) {
          throw new InvalidInputException("tensor '" + site.key() + "': external data but no file system was given");
        }
        external = ExternalData.locate(fs, modelDir, t, spec, fileLengths);
      } else {
        TensorBytes.check(t, spec);
        inline.put(site.key(), t);
      }
      weights.add(new OnnxWeight(site.key(), site.tensorName(), site.depth(), site.placement(), storage, spec, external));
    });
    return new OnnxWeights(model, fs, weights, inline);
  }

  /**
   * Reads the model at {@code path} and enumerates its weights, resolving external data against
   * the file's directory.
   *
   * @throws InvalidInputException if the file is not an ONNX model or a weight is malformed
   * @throws IOException if the file system fails
   */
  public static OnnxWeights read(FileSystem fs, Path path) throws IOException {
    return of(OnnxModelFile.read(fs, path), fs, path.getParent());
  }

  /** The model as given, weights included. */
  public ModelProto model() {
    return model;
  }

  /** All weights in walk order (see the class doc); unmodifiable. */
  public List<OnnxWeight> list() {
    return weights;
  }

  /** Weights by key, in walk order; unmodifiable. */
  public Map<String, OnnxWeight> byKey() {
    return byKey;
  }

  /**
   * The weight with this key.
   *
   * @throws IllegalArgumentException if the model has no such weight
   */
  public OnnxWeight get(String key) {
    OnnxWeight w = byKey.get(key);
    if (w == null) {
      throw new IllegalArgumentException("no weight '" + key + "' in the model");
    }
    return w;
  }

  /**
   * The raw little-endian bytes of one weight, from raw_data, the typed fields or the external file.
   *
   * @return a new array of {@code get(key).spec().byteSize()} bytes
   * @throws IllegalArgumentException if the model has no such weight
   * @throws InvalidInputException if an external weight exceeds one Java array or its file shrank
   * @throws IOException if reading the external file fails
   */
  public byte[] bytes(String key) throws IOException {
    OnnxWeight w = get(key);
    return w.storage() == WeightStorage.EXTERNAL ? ExternalData.read(fs, w.external()) : TensorBytes.read(inline.get(key), w.spec());
  }

  /**
   * The model with every weight's data removed (raw_data, typed fields, external_data entries and
   * data_location cleared); names, dims, data types and everything else are kept. What an artifact
   * stores instead of the original file; {@link OnnxWeightWriter#restore} puts the data back.
   */
  public ModelProto stripped() {
    return OnnxModelFile.parse(strippedBytes(), "the stripped graph");
  }

  /** {@link #stripped()} serialized. */
  public byte[] strippedBytes() {
    OnnxProto.Model b = wire(model);
    WeightSites.walk(b, (site, t) -> TensorBytes.clear(t));
    return b.toByteArray();
  }

  /**
   * The model as nnzip's own wire view: the walk over weight sites is written once, on that view,
   * which the restore path shares with the device dialer.
   */
  private static OnnxProto.Model wire(ModelProto model) {
    return new OnnxProto.Model(nnzip.io.protobuf.ProtoMessage.parse(model.toByteArray()));
  }

  /** Sum of the byte sizes of all weights. */
  public long totalBytes() {
    long sum = 0;
    for (OnnxWeight w : weights) {
      sum = Math.addExact(sum, w.spec().byteSize());
    }
    return sum;
  }
}
