package nnzip.prune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.GraphProtoOrBuilder;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Removes channels physically: writes the model with each group's dropped channels gone from the
 * producers' weights and biases, BatchNormalization parameters, every consumer's input axis
 * (Flatten blocks and Concat offsets included), depthwise {@code group} attributes and Reshape
 * shape constants. A network whose dropped channels carry zero weights computes the same outputs.
 */
public final class ChannelRemoval {
  private ChannelRemoval() {}

  /**
   * The pruned model and its per-layer table.
   *
   * @param model the serialized pruned model
   * @param layers one row per Conv, Gemm, MatMul and BatchNormalization node, in node order
   */
  public record Result(byte[] model, List<LayerStats> layers) {
    public Result {
      Objects.requireNonNull(model, "model");
      layers = List.copyOf(layers);
    }
  }

  /**
   * Writes {@code onnx} with, for each group named in {@code kept}, only the listed channels. The
   * model may carry other weights than the one {@code groups} was found on (e.g. retrained), but
   * must have the same nodes and weight shapes.
   *
   * @param onnx a serialized model with the graph that {@code groups} was found on
   * @param groups the model's channel groups
   * @param kept group id → the channels to keep, strictly ascending in [0, C), at least one; a
   *     group not named keeps all of its channels; a refused group may only keep all
   * @throws IllegalArgumentException if a group id is unknown, a kept list is malformed, or a
   *     refused group would lose channels
   * @throws InvalidInputException if {@code onnx} is no ONNX model or not the graph of {@code groups}
   */
  public static Result apply(byte[] onnx, ChannelGroups groups, Map<String, int[]> kept) {
    Map<String, boolean[]> keep = new HashMap<>();
    kept.forEach((id, k) -> keep.put(id, mask(groups.get(id), k)));
    ModelProto model = OnnxModelFile.parse(onnx, "the model to prune");
    if (!model.getGraph().getNodeList().equals(groups.model().getGraph().getNodeList())) {
      throw new InvalidInputException("the model to prune has other nodes than the one its channel groups were found on");
    }
    Map<String, boolean[][]> drops = drops(model, groups, keep);
    OnnxWeights weights = OnnxWeights.of(model);
    Map<String, OnnxWeight> byName = new HashMap<>();
    weights.list().stream().filter(w -> w.depth() == 0).forEach(w -> byName.putIfAbsent(w.tensorName(), w));
    ModelProto.Builder b = model.toBuilder();
    GraphProto.Builder g = b.getGraphBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      rewrite(g.getInitializerBuilder(i), g.getInitializer(i).getName(), byName, weights, drops);
    }
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto.Builder n = g.getNodeBuilder(i);
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0 && drops.containsKey(n.getOutput(0))) {
        for (AttributeProto.Builder a : n.getAttributeBuilderList()) {
          if (a.getName().equals("value") && a.hasT()) {
            rewrite(a.getTBuilder(), n.getOutput(0), byName, weights, drops);
          }
        }
      }
    }
    for (Plan.Count c : groups.counts()) {
      long removed = removed(c.spans(), keep);
      if (c.weight() == null) {
        NodeProto.Builder n = g.getNodeBuilder(c.node());
        for (AttributeProto.Builder a : n.getAttributeBuilderList()) {
          if (a.getName().equals("group")) {
            a.setI(a.getI() - removed);
          }
        }
      } else {
        recount(g, c.weight(), c.index(), removed, byName, weights);
      }
    }
    // Declared shapes of inner tensors would now contradict the weights; they are optional hints.
    g.clearValueInfo();
    for (ValueInfoProto.Builder in : g.getInputBuilderList()) {
      TensorProto t = constant(g, in.getName());
      if (t != null && in.getType().hasTensorType()) {
        TensorShapeProto.Builder s = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().clearDim();
        t.getDimsList().forEach(d -> s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d)));
      }
    }
    return new Result(b.build().toByteArray(), stats(groups, keep));
  }

  /**
   * The per-layer table that keeping {@code keptCounts.get(id)} channels of each named group would
   * give, without writing a model (for choosing counts that meet a parameter or FLOP budget).
   *
   * @param keptCounts group id → channels kept, in [1, C]; groups not named keep all
   * @throws IllegalArgumentException if a group id is unknown or a count is out of range
   */
  public static List<LayerStats> count(ChannelGroups groups, Map<String, Integer> keptCounts) {
    Map<String, boolean[]> keep = new HashMap<>();
    keptCounts.forEach((id, k) -> {
      ChannelGroup g = groups.get(id);
      if (k < 1 || k > g.channels()) {
        throw new IllegalArgumentException("group '" + id + "': " + k + " channels kept, expected 1.." + g.channels());
      }
      keep.put(id, mask(g, IntStream.range(0, k).toArray()));
    });
    return stats(groups, keep);
  }

  private static boolean[] mask(ChannelGroup g, int[] kept) {
    if (kept.length < 1 || kept.length > g.channels()) {
      throw new IllegalArgumentException("group '" + g.id() + "': " + kept.length + " channels kept, expected 1.."
          + g.channels());
    }
    boolean[] m = new boolean[g.channels()];
    for (int i = 0; i < kept.length; i++) {
      if (kept[i] < 0 || kept[i] >= g.channels() || (i > 0 && kept[i] <= kept[i - 1])) {
        throw new IllegalArgumentException("group '" + g.id() + "': kept channels must rise strictly within [0, "
            + g.channels() + "), got " + kept[i] + " at position " + i);
      }
      m[kept[i]] = true;
    }
    if (!g.prunable() && kept.length != g.channels()) {
      throw new IllegalArgumentException("group '" + g.id() + "' cannot be pruned: " + g.refusal());
    }
    return m;
  }

  /** Weight name → per axis, the elements to drop (null for an axis left whole). */
  private static Map<String, boolean[][]> drops(ModelProto model, ChannelGroups groups, Map<String, boolean[]> keep) {
    Map<String, boolean[][]> out = new HashMap<>();
    for (Plan.Slice s : groups.slices()) {
      boolean[] k = keep.get(s.group());
      if (k == null) {
        continue;
      }
      TensorProto t = constant(model.getGraph(), s.weight());
      boolean[][] d = out.computeIfAbsent(s.weight(), w -> new boolean[t.getDimsCount()][]);
      if (d[s.axis()] == null) {
        d[s.axis()] = new boolean[(int) t.getDims(s.axis())];
      }
      for (int c = 0; c < k.length; c++) {
        if (!k[c]) {
          long from = s.offset() + c * s.block();
          Arrays.fill(d[s.axis()], (int) from, (int) (from + s.block()), true);
        }
      }
    }
    return out;
  }

  private static void rewrite(TensorProto.Builder t, String name, Map<String, OnnxWeight> byName, OnnxWeights weights,
      Map<String, boolean[][]> drops) {
    boolean[][] d = drops.get(name);
    if (d == null) {
      return;
    }
    OnnxWeight w = byName.get(name);
    long[] dims = w.spec().shape().clone();
    byte[] data = read(weights, w);
    for (int axis = 0; axis < d.length; axis++) {
      if (d[axis] != null) {
        data = TensorGather.dropAlong(data, dims, axis, d[axis], w.spec().dtype().byteSize());
      }
    }
    clearData(t);
    t.clearDims().addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(data));
  }

  private static void recount(GraphProto.Builder g, String name, int index, long removed, Map<String, OnnxWeight> byName,
      OnnxWeights weights) {
    OnnxWeight w = byName.get(name);
    ByteBuffer data = ByteBuffer.wrap(read(weights, w)).order(ByteOrder.LITTLE_ENDIAN);
    data.putLong(index * 8, data.getLong(index * 8) - removed);
    List<TensorProto.Builder> targets = new java.util.ArrayList<>();
    g.getInitializerBuilderList().stream().filter(t -> t.getName().equals(name)).forEach(targets::add);
    for (NodeProto.Builder n : g.getNodeBuilderList()) {
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0 && n.getOutput(0).equals(name)) {
        n.getAttributeBuilderList().stream().filter(a -> a.getName().equals("value") && a.hasT())
            .forEach(a -> targets.add(a.getTBuilder()));
      }
    }
    for (TensorProto.Builder t : targets) {
      clearData(t);
      t.setRawData(ByteString.copyFrom(data.array()));
    }
  }

  private static byte[] read(OnnxWeights weights, OnnxWeight w) {
    try {
      return weights.bytes(w.key());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory weights touch no file
    }
  }

  private static void clearData(TensorProto.Builder t) {
    t.clearRawData().clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data().clearUint64Data();
  }

  private static TensorProto constant(GraphProtoOrBuilder g, String name) {
    for (TensorProto t : g.getInitializerList()) {
      if (t.getName().equals(name)) {
        return t;
      }
    }
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0 && n.getOutput(0).equals(name)) {
        for (AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("value") && a.hasT()) {
            return a.getT();
          }
        }
      }
    }
    return null;
  }

  /** Elements that {@code spans} lose: Σ (C − kept)·block over the pruned groups. */
  private static long removed(List<Plan.Span> spans, Map<String, boolean[]> keep) {
    long r = 0;
    for (Plan.Span s : spans) {
      boolean[] k = s.group() == null ? null : keep.get(s.group());
      if (k != null) {
        long dropped = IntStream.range(0, k.length).filter(c -> !k[c]).count();
        r += dropped * s.block();
      }
    }
    return r;
  }

  private static List<LayerStats> stats(ChannelGroups groups, Map<String, boolean[]> keep) {
    Map<String, long[]> after = new HashMap<>();
    GraphProto graph = groups.model().getGraph();
    for (Plan.Slice s : groups.slices()) {
      boolean[] k = keep.get(s.group());
      long[] d = after.computeIfAbsent(s.weight(), w -> dims(constant(graph, w)));
      if (k != null) {
        d[s.axis()] -= IntStream.range(0, k.length).filter(c -> !k[c]).count() * s.block();
      }
    }
    List<LayerStats> rows = new java.util.ArrayList<>();
    for (Plan.Layer l : groups.layers()) {
      long[] outBefore = dims(constant(graph, l.outWeight()));
      long[] outAfter = after.getOrDefault(l.outWeight(), outBefore);
      long pb = 0;
      long pa = 0;
      for (String p : l.params()) {
        long[] before = dims(constant(graph, p));
        pb += Shapes.product(before, 0);
        pa += Shapes.product(after.getOrDefault(p, before), 0);
      }
      long spatial = Math.max(l.spatial(), 0);
      rows.add(new LayerStats(l.name(), l.op(), outBefore[l.outAxis()], outAfter[l.outAxis()], pb, pa,
          2 * Shapes.product(outBefore, 0) * spatial, 2 * Shapes.product(outAfter, 0) * spatial));
    }
    return rows;
  }

  private static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }
}
