package nnzip.graph;

import java.util.function.Function;
import nnzip.InvalidInputException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx.NodeProto;

/**
 * Typed access to one node's attributes with ONNX defaults. An attribute stored with another type
 * than the operator defines is an {@link InvalidInputException} naming the node and attribute.
 */
final class NodeAttributes {
  private final NodeProto node;
  private final Function<String, InvalidInputException> error;

  /**
   * @param node the node
   * @param error builds the exception for a message about this node (see {@link
   *     OnnxGraphImporter#unsupported})
   */
  NodeAttributes(NodeProto node, Function<String, InvalidInputException> error) {
    this.node = node;
    this.error = error;
  }

  boolean has(String name) {
    return find(name) != null;
  }

  long integer(String name, long dflt) {
    AttributeProto a = typed(name, AttributeType.INT);
    return a == null ? dflt : a.getI();
  }

  float real(String name, float dflt) {
    AttributeProto a = typed(name, AttributeType.FLOAT);
    return a == null ? dflt : a.getF();
  }

  String string(String name, String dflt) {
    AttributeProto a = typed(name, AttributeType.STRING);
    return a == null ? dflt : a.getS().toStringUtf8();
  }

  /**
   * An INTS attribute that must have {@code length} entries.
   *
   * @return its values, or {@code dflt} when absent (null if no default)
   */
  long[] integers(String name, int length, long... dflt) {
    AttributeProto a = typed(name, AttributeType.INTS);
    if (a == null) {
      return dflt.length == 0 ? null : dflt.clone();
    }
    long[] v = a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    if (v.length != length) {
      throw error.apply("attribute '" + name + "' with " + v.length + " values (expected " + length + ")");
    }
    return v;
  }

  /** An exception saying that {@code what} is not supported for this node. */
  InvalidInputException unsupported(String what) {
    return error.apply(what);
  }

  private AttributeProto typed(String name, AttributeType type) {
    AttributeProto a = find(name);
    if (a != null && a.getType() != type && a.getType() != AttributeType.UNDEFINED) {
      throw error.apply("attribute '" + name + "' of type " + a.getType() + " (expected " + type + ")");
    }
    return a;
  }

  private AttributeProto find(String name) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }
}
