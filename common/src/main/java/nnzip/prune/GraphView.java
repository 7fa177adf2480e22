package nnzip.prune;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * Read access to a main graph for the group finder: constant tensors (initializers and Constant
 * nodes) by name, how many times each name is read, the names read inside subgraphs, and node
 * attributes with their ONNX defaults.
 */
final class GraphView {
  private final Map<String, TensorProto> constants = new HashMap<>();
  private final Map<String, Integer> reads = new HashMap<>();
  private final Set<String> readBySubgraphs = new HashSet<>();

  GraphView(GraphProto g) {
    for (TensorProto t : g.getInitializerList()) {
      constants.put(t.getName(), t);
    }
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("Constant") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
        for (AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("value") && a.hasT() && n.getOutputCount() > 0) {
            constants.put(n.getOutput(0), a.getT());
          }
        }
      }
      for (String in : n.getInputList()) {
        reads.merge(in, 1, Integer::sum);
      }
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG()) {
          collectNames(a.getG(), readBySubgraphs);
        }
        a.getGraphsList().forEach(sg -> collectNames(sg, readBySubgraphs));
      }
    }
  }

  private static void collectNames(GraphProto g, Set<String> out) {
    for (NodeProto n : g.getNodeList()) {
      out.addAll(n.getInputList());
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG()) {
          collectNames(a.getG(), out);
        }
        a.getGraphsList().forEach(sg -> collectNames(sg, out));
      }
    }
  }

  /** The constant tensor of this name, or null when the name is computed (or empty). */
  TensorProto constant(String name) {
    return name.isEmpty() ? null : constants.get(name);
  }

  /** Its dims, or null when the name is no constant. */
  long[] dims(String name) {
    TensorProto t = constant(name);
    return t == null ? null : t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  /** Number of node inputs in the main graph that read {@code name}. */
  int reads(String name) {
    return reads.getOrDefault(name, 0);
  }

  /** True when a nested graph reads {@code name} (directly or from the outer scope). */
  boolean readBySubgraph(String name) {
    return readBySubgraphs.contains(name);
  }

  /** The values of an INT64 or INT32 constant, or null when it is none. */
  long[] integers(String name) {
    TensorProto t = constant(name);
    if (t == null || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return null;
    }
    int n = (int) t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    long[] v = new long[n];
    ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
      for (int i = 0; i < n; i++) {
        v[i] = t.getRawData().isEmpty() ? t.getInt64Data(i) : raw.getLong();
      }
    } else if (t.getDataType() == TensorProto.DataType.INT32_VALUE) {
      for (int i = 0; i < n; i++) {
        v[i] = t.getRawData().isEmpty() ? t.getInt32Data(i) : raw.getInt();
      }
    } else {
      return null;
    }
    return v;
  }

  static AttributeProto attribute(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long integer(NodeProto n, String name, long dflt) {
    AttributeProto a = attribute(n, name);
    return a == null ? dflt : a.getI();
  }

  /** An INTS attribute, or null when absent. */
  static long[] integers(NodeProto n, String name) {
    AttributeProto a = attribute(n, name);
    return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }

  static String string(NodeProto n, String name, String dflt) {
    AttributeProto a = attribute(n, name);
    return a == null ? dflt : a.getS().toStringUtf8();
  }

  /** The node's name, or {@code <op>@<index>} when it has none. */
  static String label(NodeProto n, int index) {
    return n.getName().isEmpty() ? n.getOpType() + "@" + index : n.getName();
  }
}
