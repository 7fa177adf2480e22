package nnzip.prune;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.InlineWeights;
import nnzip.io.onnx.OnnxProto.Attribute;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Model;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.Tensor;
import nnzip.io.onnx.OnnxProto.ValueInfo;

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
    Map<String, boolean[]> keep = masks(groups, kept);
    Model model = Model.parse(onnx, "the model to prune");
    if (!model.getGraph().getNodeList().equals(groups.model().getGraph().getNodeList())) {
      throw new InvalidInputException("the model to prune has other nodes than the one its channel groups were found on");
    }
    Map<String, boolean[][]> drops = drops(model, groups, keep);
    InlineWeights weights = InlineWeights.of(model);
    Map<String, OnnxWeight> byName = new HashMap<>();
    weights.list().stream().filter(w -> w.depth() == 0).forEach(w -> byName.putIfAbsent(w.tensorName(), w));
    Graph g = model.getGraph();
    List<Node> nodes = g.getNodeList();
    // Every weight is read before any is rewritten: the views share the model's bytes.
    Map<String, byte[]> data = new HashMap<>();
    for (String name : drops.keySet()) {
      data.put(name, weights.bytes(byName.get(name).key()));
    }
    for (Plan.Count c : groups.counts()) {
      if (c.weight() != null) {
        data.put(c.weight(), weights.bytes(byName.get(c.weight()).key()));
      }
    }
    for (Tensor t : g.getInitializerList()) {
      rewrite(t, t.getName(), byName, data, drops);
    }
    for (Node n : nodes) {
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0 && drops.containsKey(n.getOutput(0))) {
        for (Attribute a : n.getAttributeList()) {
          if (a.getName().equals("value") && a.hasT()) {
            rewrite(a.getT(), n.getOutput(0), byName, data, drops);
          }
        }
      }
    }
    for (Plan.Count c : groups.counts()) {
      long removed = removed(c.spans(), keep);
      if (c.weight() == null) {
        for (Attribute a : nodes.get(c.node()).getAttributeList()) {
          if (a.getName().equals("group")) {
            a.setI(a.getI() - removed);
          }
        }
      } else {
        recount(g, c.weight(), c.index(), removed, data);
      }
    }
    // Declared shapes of inner tensors would now contradict the weights; they are optional hints.
    g.clearValueInfo();
    for (ValueInfo in : g.getInputList()) {
      Tensor t = constant(g, in.getName());
      if (t != null && in.hasTensorType()) {
        in.setShape(t.dims());
      }
    }
    return new Result(model.toByteArray(), stats(groups, keep));
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

  /**
   * Weight name → per axis, the elements that keeping only {@code kept} drops (null for an axis left
   * whole), on the graph the groups were found on; {@code kept} is checked as {@link #apply} checks it.
   */
  static Map<String, boolean[][]> drops(ChannelGroups groups, Map<String, int[]> kept) {
    return drops(groups.model(), groups, masks(groups, kept));
  }

  private static Map<String, boolean[]> masks(ChannelGroups groups, Map<String, int[]> kept) {
    Map<String, boolean[]> keep = new HashMap<>();
    kept.forEach((id, k) -> keep.put(id, mask(groups.get(id), k)));
    return keep;
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
  private static Map<String, boolean[][]> drops(Model model, ChannelGroups groups, Map<String, boolean[]> keep) {
    Map<String, boolean[][]> out = new HashMap<>();
    for (Plan.Slice s : groups.slices()) {
      boolean[] k = keep.get(s.group());
      if (k == null) {
        continue;
      }
      Tensor t = constant(model.getGraph(), s.weight());
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

  private static void rewrite(Tensor t, String name, Map<String, OnnxWeight> byName, Map<String, byte[]> data,
      Map<String, boolean[][]> drops) {
    boolean[][] d = drops.get(name);
    if (d == null) {
      return;
    }
    OnnxWeight w = byName.get(name);
    long[] dims = w.spec().shape().clone();
    byte[] bytes = data.get(name);
    for (int axis = 0; axis < d.length; axis++) {
      if (d[axis] != null) {
        bytes = TensorGather.dropAlong(bytes, dims, axis, d[axis], w.spec().dtype().byteSize());
      }
    }
    t.setDims(dims).setRawData(bytes);
  }

  private static void recount(Graph g, String name, int index, long removed, Map<String, byte[]> data) {
    ByteBuffer b = ByteBuffer.wrap(data.get(name)).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(index * 8, b.getLong(index * 8) - removed);
    for (Tensor t : tensors(g, name)) {
      t.setRawData(b.array());
    }
  }

  /** Every tensor that holds weight {@code name}: initializers and Constant nodes' values. */
  static List<Tensor> tensors(Graph g, String name) {
    List<Tensor> out = new java.util.ArrayList<>();
    g.getInitializerList().stream().filter(t -> t.getName().equals(name)).forEach(out::add);
    for (Node n : g.getNodeList()) {
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0 && n.getOutput(0).equals(name)) {
        n.getAttributeList().stream().filter(a -> a.getName().equals("value") && a.hasT()).forEach(a -> out.add(a.getT()));
      }
    }
    return out;
  }

  static Tensor constant(Graph g, String name) {
    for (Tensor t : g.getInitializerList()) {
      if (t.getName().equals(name)) {
        return t;
      }
    }
    for (Node n : g.getNodeList()) {
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0 && n.getOutput(0).equals(name)) {
        for (Attribute a : n.getAttributeList()) {
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
    Graph graph = groups.model().getGraph();
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

  private static long[] dims(Tensor t) {
    return t.dims();
  }
}
