package nnzip.graph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.tensor.DType;
import onnx.Onnx.ModelProto;

/**
 * The weights of a model's main graph by ONNX tensor name (initializer name or Constant output
 * name), decoded from {@link OnnxWeights}, which already reads raw_data and the typed fields.
 */
final class MainGraphWeights {
  private final OnnxWeights weights;
  private final Map<String, OnnxWeight> byName = new HashMap<>();
  private final Map<String, Integer> order = new HashMap<>();

  /**
   * @throws nnzip.InvalidInputException if a weight's data is malformed or external
   */
  MainGraphWeights(ModelProto model) {
    this.weights = OnnxWeights.of(model);
    List<OnnxWeight> list = weights.list();
    for (int i = 0; i < list.size(); i++) {
      OnnxWeight w = list.get(i);
      if (w.depth() == 0) {
        byName.put(w.tensorName(), w);
        order.put(w.key(), i);
      }
    }
  }

  /** The weight that is this ONNX tensor, or null. */
  OnnxWeight get(String tensorName) {
    return byName.get(tensorName);
  }

  /** Position of a weight key in {@link OnnxWeights}' walk order (ONNX order). */
  int order(String key) {
    return order.get(key);
  }

  /** The values of a FLOAT weight, row-major, {@code w.spec().numElements()} of them. */
  float[] floats(OnnxWeight w) {
    check(w, DType.F32);
    float[] v = new float[Math.toIntExact(w.spec().numElements())];
    ByteBuffer.wrap(bytes(w)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /** The values of an INT64 weight, row-major. */
  long[] longs(OnnxWeight w) {
    check(w, DType.I64);
    long[] v = new long[Math.toIntExact(w.spec().numElements())];
    ByteBuffer.wrap(bytes(w)).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
    return v;
  }

  private static void check(OnnxWeight w, DType dtype) {
    if (w.spec().dtype() != dtype) {
      throw new IllegalArgumentException("weight '" + w.key() + "' is " + w.spec().dtype() + ", not " + dtype);
    }
  }

  private byte[] bytes(OnnxWeight w) {
    try {
      return weights.bytes(w.key());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // data inside the protobuf: nothing is read from disk
    }
  }
}
