package nnzip.prune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.onnx.InlineWeights;
import nnzip.io.onnx.OnnxProto.Attribute;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Model;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.Tensor;
import nnzip.io.onnx.OnnxWeight;
import nnzip.tensor.DType;

/**
 * Reorders the channels of channel groups without changing what the model computes: the gather
 * that {@link ChannelRemoval} makes with the kept channels, made with all of them in a new order,
 * on every tensor axis a group's channels occupy (producers' weights and biases, BatchNormalization
 * parameters and statistics, consumers' input axes through Flatten blocks and Concat offsets).
 * Channel counts (depthwise {@code group} attributes, Reshape constants) do not change.
 */
public final class ChannelPermutation {
  private ChannelPermutation() {}

  /**
   * Writes {@code onnx} with, for each group named in {@code order}, new channel i being old channel
   * {@code order[i]}.
   *
   * @param onnx a serialized model with the graph that {@code groups} was found on
   * @param order group id → a permutation of [0, C); groups not named keep their order; a refused
   *     group may only keep its order
   * @throws IllegalArgumentException if a group id is unknown or an order is no permutation of its
   *     group's channels
   * @throws InvalidInputException if {@code onnx} is no ONNX model or not the graph of {@code groups}
   */
  public static byte[] apply(byte[] onnx, ChannelGroups groups, Map<String, int[]> order) {
    Map<String, int[]> perms = new HashMap<>();
    order.forEach((id, p) -> {
      ChannelGroup g = groups.get(id);
      check(g, p);
      if (!isIdentity(p)) {
        if (!g.prunable()) {
          throw new IllegalArgumentException("group '" + id + "' cannot be reordered: " + g.refusal());
        }
        perms.put(id, p.clone());
      }
    });
    Model model = Model.parse(onnx, "the model to reorder");
    if (!model.getGraph().getNodeList().equals(groups.model().getGraph().getNodeList())) {
      throw new InvalidInputException("the model to reorder has other nodes than the one its channel groups were found on");
    }
    Graph g = model.getGraph();
    Map<String, int[][]> index = new LinkedHashMap<>(); // weight → per axis, the source of each entry
    for (Plan.Slice s : groups.slices()) {
      int[] p = perms.get(s.group());
      if (p == null) {
        continue;
      }
      Tensor t = ChannelRemoval.constant(g, s.weight());
      int[][] ix = index.computeIfAbsent(s.weight(), w -> new int[t.getDimsCount()][]);
      if (ix[s.axis()] == null) {
        ix[s.axis()] = java.util.stream.IntStream.range(0, Math.toIntExact(t.getDims(s.axis()))).toArray();
      }
      for (int c = 0; c < p.length; c++) {
        for (long b = 0; b < s.block(); b++) {
          ix[s.axis()][(int) (s.offset() + c * s.block() + b)] = (int) (s.offset() + p[c] * s.block() + b);
        }
      }
    }
    InlineWeights weights = InlineWeights.of(model);
    Map<String, OnnxWeight> byName = new HashMap<>();
    weights.list().stream().filter(w -> w.depth() == 0).forEach(w -> byName.putIfAbsent(w.tensorName(), w));
    // Every weight is read before any is rewritten: the views share the model's bytes.
    Map<String, byte[]> data = new HashMap<>();
    for (String name : index.keySet()) {
      data.put(name, weights.bytes(byName.get(name).key()));
    }
    List<Tensor> targets = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Tensor t : g.getInitializerList()) {
      targets.add(t);
      names.add(t.getName());
    }
    for (Node n : g.getNodeList()) {
      if (n.getOpType().equals("Constant") && n.getOutputCount() > 0) {
        for (Attribute a : n.getAttributeList()) {
          if (a.getName().equals("value") && a.hasT()) {
            targets.add(a.getT());
            names.add(n.getOutput(0));
          }
        }
      }
    }
    for (int i = 0; i < targets.size(); i++) {
      int[][] ix = index.get(names.get(i));
      if (ix == null) {
        continue;
      }
      OnnxWeight w = byName.get(names.get(i));
      long[] dims = w.spec().shape().clone();
      byte[] bytes = data.get(names.get(i));
      for (int axis = 0; axis < ix.length; axis++) {
        if (ix[axis] != null) {
          bytes = TensorGather.gatherAlong(bytes, dims, axis, ix[axis], w.spec().dtype().byteSize());
        }
      }
      targets.get(i).setRawData(bytes);
    }
    return model.toByteArray();
  }

  /**
   * Each prunable group's channels by decreasing score, ties to the lower channel.
   *
   * @param scores per prunable group (in {@link ChannelGroups#prunable} order) its C scores
   * @return group id → the permutation that puts the highest score first
   * @throws IllegalArgumentException if a score list has the wrong length
   */
  public static Map<String, int[]> byDecreasingScore(ChannelGroups groups, List<double[]> scores) {
    List<ChannelGroup> p = groups.prunable();
    if (scores.size() != p.size()) {
      throw new IllegalArgumentException(p.size() + " prunable groups but " + scores.size() + " score lists");
    }
    Map<String, int[]> out = new LinkedHashMap<>();
    for (int i = 0; i < p.size(); i++) {
      double[] sc = scores.get(i);
      if (sc.length != p.get(i).channels()) {
        throw new IllegalArgumentException("group '" + p.get(i).id() + "' has " + p.get(i).channels() + " channels but "
            + sc.length + " scores");
      }
      out.put(p.get(i).id(), java.util.stream.IntStream.range(0, sc.length).boxed()
          .sorted((a, b) -> sc[a] != sc[b] ? Double.compare(sc[b], sc[a]) : Integer.compare(a, b))
          .mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  /**
   * The model with each prunable group's channels in decreasing order of their L1 score ({@link
   * StructuredPruning#l1Scores} on the model's own weights), so that its first channels are its
   * most important: what a structured compressible subspace, which keeps the first channels, starts
   * from.
   *
   * @throws InvalidInputException if the model is no ONNX model, has nothing to prune, or a
   *     producer's weight is not a float tensor of the main graph
   */
  public static byte[] byL1(byte[] onnx) {
    ChannelGroups groups = ChannelGroups.of(onnx);
    InlineWeights inline = InlineWeights.of(groups.model());
    Map<String, float[]> values = new HashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    for (OnnxWeight w : inline.list()) {
      if (w.depth() == 0 && w.spec().dtype() == DType.F32 && !values.containsKey(w.tensorName())) {
        float[] v = new float[Math.toIntExact(Shapes.product(w.spec().shape(), 0))];
        java.nio.ByteBuffer.wrap(inline.bytes(w.key())).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        values.put(w.tensorName(), v);
        shapes.put(w.tensorName(), w.spec().shape());
      }
    }
    return apply(onnx, groups, byDecreasingScore(groups, StructuredPruning.l1Scores(groups, values, shapes)));
  }

  private static void check(ChannelGroup g, int[] p) {
    if (p.length != g.channels()) {
      throw new IllegalArgumentException("group '" + g.id() + "' has " + g.channels() + " channels, its order "
          + p.length);
    }
    boolean[] seen = new boolean[p.length];
    for (int c : p) {
      if (c < 0 || c >= p.length || seen[c]) {
        throw new IllegalArgumentException("group '" + g.id() + "': the order is no permutation of [0, " + p.length
            + ") (" + c + ")");
      }
      seen[c] = true;
    }
  }

  private static boolean isIdentity(int[] p) {
    for (int i = 0; i < p.length; i++) {
      if (p[i] != i) {
        return false;
      }
    }
    return true;
  }
}
