package nnzip.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * An independent count of an ONNX model's floating-point weight tensors, made by walking the
 * protobuf directly (not with nnzip's OnnxWeights): graph initializers and the {@code value} tensor
 * of every {@code Constant} node, in the main graph and in every nested subgraph (GRAPH and GRAPHS
 * attributes, any depth).
 *
 * @param floatWeights FLOAT, FLOAT16, BFLOAT16 and DOUBLE tensors found
 * @param floatElements their elements, summed
 * @param initializers how many of them are initializers
 * @param constants how many of them are Constant node values
 * @param topLevelNames names of those in the main graph (initializer name, or the Constant's output)
 * @param opTypes op type of every node, main graph first, depth first
 */
record WeightCensus(int floatWeights, long floatElements, int initializers, int constants, List<String> topLevelNames,
    List<String> opTypes) {

  static WeightCensus of(Path model) throws IOException {
    return of(ModelProto.parseFrom(Files.readAllBytes(model)));
  }

  static WeightCensus of(ModelProto model) {
    Walk w = new Walk();
    w.graph(model.getGraph(), 0);
    return new WeightCensus(w.floats, w.elements, w.inits, w.consts, List.copyOf(w.names), List.copyOf(w.ops));
  }

  /** Safetensors dtype names of the float ONNX types, as nnzip's manifest writes them. */
  static boolean isFloatDtype(String safetensorsName) {
    return switch (safetensorsName) {
      case "F16", "BF16", "F32", "F64" -> true;
      default -> false;
    };
  }

  private static final class Walk {
    int floats;
    long elements;
    int inits;
    int consts;
    final List<String> names = new ArrayList<>();
    final List<String> ops = new ArrayList<>();

    void graph(GraphProto g, int depth) {
      for (TensorProto t : g.getInitializerList()) {
        if (tensor(t, t.getName(), depth)) {
          inits++;
        }
      }
      for (NodeProto n : g.getNodeList()) {
        ops.add(n.getOpType());
        for (AttributeProto a : n.getAttributeList()) {
          if (n.getOpType().equals("Constant") && a.getName().equals("value") && a.hasT()) {
            if (tensor(a.getT(), n.getOutput(0), depth)) {
              consts++;
            }
          }
          if (a.hasG()) {
            graph(a.getG(), depth + 1);
          }
          for (GraphProto sub : a.getGraphsList()) {
            graph(sub, depth + 1);
          }
        }
      }
    }

    boolean tensor(TensorProto t, String name, int depth) {
      int type = t.getDataType();
      boolean isFloat = type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.FLOAT16_VALUE
          || type == TensorProto.DataType.BFLOAT16_VALUE || type == TensorProto.DataType.DOUBLE_VALUE;
      if (!isFloat) {
        return false;
      }
      floats++;
      long n = 1;
      for (long d : t.getDimsList()) {
        n *= d;
      }
      elements += n;
      if (depth == 0) {
        names.add(name);
      }
      return true;
    }
  }
}
