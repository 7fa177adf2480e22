package nnzip.prune;

import java.nio.ByteBuffer;
import java.util.Arrays;
import nnzip.io.onnx.OnnxProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import nnzip.io.onnx.OnnxProto.Attribute;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.Tensor;

/**
 * Read access to a main graph for the group finder: constant tensors (initializers and Constant
 * nodes) by name, how many times each name is read, the names read inside subgraphs, and node
 * attributes with their ONNX defaults.
 */
final class GraphView {
  private final Map<String, Tensor> constants = new HashMap<>();
  private final Map<String, Integer> reads = new HashMap<>();
  private final Set<String> readBySubgraphs = new HashSet<>();

  GraphView(Graph g) {
    for (Tensor t : g.getInitializerList()) {
      constants.put(t.getName(), t);
    }
    for (Node n : g.getNodeList()) {
      if (n.getOpType().equals("Constant") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
        for (Attribute a : n.getAttributeList()) {
          if (a.getName().equals("value") && a.hasT() && n.getOutputCount() > 0) {
            constants.put(n.getOutput(0), a.getT());
          }
        }
      }
      for (String in : n.getInputList()) {
        reads.merge(in, 1, Integer::sum);
      }
      for (Attribute a : n.getAttributeList()) {
        if (a.hasG()) {
          collectNames(a.getG(), readBySubgraphs);
        }
        a.getGraphsList().forEach(sg -> collectNames(sg, readBySubgraphs));
      }
    }
  }

  private static void collectNames(Graph g, Set<String> out) {
    for (Node n : g.getNodeList()) {
      out.addAll(n.getInputList());
      for (Attribute a : n.getAttributeList()) {
        if (a.hasG()) {
          collectNames(a.getG(), out);
        }
        a.getGraphsList().forEach(sg -> collectNames(sg, out));
      }
    }
  }

  /** The constant tensor of this name, or null when the name is computed (or empty). */
  Tensor constant(String name) {
    return name.isEmpty() ? null : constants.get(name);
  }

  /** Its dims, or null when the name is no constant. */
  long[] dims(String name) {
    Tensor t = constant(name);
    return t == null ? null : t.dims();
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
    Tensor t = constant(name);
    if (t == null || t.getDataLocation() == OnnxProto.EXTERNAL) {
      return null;
    }
    int n = (int) Arrays.stream(t.dims()).reduce(1, Math::multiplyExact);
    long[] v = new long[n];
    ByteBuffer raw = t.getRawData();
    if (t.getDataType() == OnnxProto.INT64) {
      long[] typed = t.hasRawData() ? null : t.int64Data();
      for (int i = 0; i < n; i++) {
        v[i] = typed != null ? typed[i] : raw.getLong();
      }
    } else if (t.getDataType() == OnnxProto.INT32) {
      long[] typed = t.hasRawData() ? null : t.int32Data();
      for (int i = 0; i < n; i++) {
        v[i] = typed != null ? typed[i] : raw.getInt();
      }
    } else {
      return null;
    }
    return v;
  }

  static Attribute attribute(Node n, String name) {
    for (Attribute a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long integer(Node n, String name, long dflt) {
    Attribute a = attribute(n, name);
    return a == null ? dflt : a.getI();
  }

  /** An INTS attribute, or null when absent. */
  static long[] integers(Node n, String name) {
    Attribute a = attribute(n, name);
    return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }

  static String string(Node n, String name, String dflt) {
    Attribute a = attribute(n, name);
    return a == null ? dflt : a.getS();
  }

  /** The node's name, or {@code <op>@<index>} when it has none. */
  static String label(Node n, int index) {
    return n.getName().isEmpty() ? n.getOpType() + "@" + index : n.getName();
  }
}
