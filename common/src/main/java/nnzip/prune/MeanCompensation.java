package nnzip.prune;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.artifact.ArtifactWriter;
import nnzip.data.Dataset;
import nnzip.io.onnx.InlineWeights;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Model;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.Tensor;
import nnzip.io.onnx.OnnxWeight;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.train.FloatTensor;
import nnzip.train.TrainingGraph;

/**
 * Keeps the mean of what removed channels fed their consumers. A removed channel is rarely zero:
 * behind a bias, or BatchNormalization and ReLU, it carries a mean activation m_c, and each Conv,
 * Gemm or MatMul that read it loses Σ_c m_c·W[o, c, …] from every output o. That sum goes into the
 * consumer's bias (or, where the consumer has none and a BatchNormalization alone reads its output,
 * out of that node's running mean; or into a MatMul's bias Add; else into a new bias input of a
 * Conv or Gemm), so the pruned model's outputs keep their means over the data the means came from.
 * Exact for a channel that is constant (and, for a Conv, away from zero padding); in expectation
 * for a consumer's outputs otherwise (Wang et al.'s "neuron merging" and the bias correction of
 * data-free quantization make the same repair).
 */
public final class MeanCompensation {
  private MeanCompensation() {}

  /**
   * What compensation did.
   *
   * @param model the serialized model with the consumers' biases or running means moved; the same
   *     channels still to remove
   * @param compensated consumers that received their removed channels' mean contribution
   * @param skipped one line per consumer that lost channels but could not receive it, with why
   */
  public record Result(byte[] model, int compensated, List<String> skipped) {
    public Result {
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * The input tensors of the consumers that lose channels when only {@code kept} stay, each with the
   * axis along which their means are wanted.
   */
  public static Map<String, Integer> inputs(ChannelGroups groups, Map<String, int[]> kept) {
    Map<String, boolean[][]> drops = ChannelRemoval.drops(groups, kept);
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Plan.Consumer c : groups.consumers()) {
      if (dropped(drops, c) != null) {
        out.put(c.input(), c.channelAxis());
      }
    }
    return out;
  }

  /**
   * The mean of each element along each tensor's axis, over the first {@code examples} of {@code
   * data} and every other axis (batch and positions), by a forward pass of {@code graph} (inference
   * mode: the statistics the pruned model runs with).
   *
   * @param axes tensor → axis, as {@link #inputs} gives them
   */
  public static Map<String, double[]> means(TrainingGraph graph, Dataset data, Map<String, Integer> axes,
      int examples) {
    int n = Math.min(examples, data.n());
    if (n < 1) {
      throw new IllegalArgumentException("mean compensation needs at least one example");
    }
    Map<String, double[]> sums = new LinkedHashMap<>();
    Map<String, Long> counts = new HashMap<>();
    int chunk = 256;
    for (int from = 0; from < n; from += chunk) {
      int rows = Math.min(chunk, n - from);
      float[] x = Arrays.copyOfRange(data.features(), from * data.dim(), (from + rows) * data.dim());
      for (Map.Entry<String, FloatTensor> e : graph.activations(x, rows, axes.keySet()).entrySet()) {
        long[] shape = e.getValue().spec().shape();
        int axis = axes.get(e.getKey());
        int size = (int) shape[axis];
        long inner = Shapes.product(shape, axis + 1);
        float[] v = e.getValue().data();
        double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[size]);
        for (int i = 0; i < v.length; i++) {
          s[(int) ((i / inner) % size)] += v[i];
        }
        counts.merge(e.getKey(), v.length / (long) size, Long::sum);
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    sums.forEach((t, s) -> {
      long count = counts.get(t);
      out.put(t, Arrays.stream(s).map(v -> v / count).toArray());
    });
    return out;
  }

  /**
   * Moves each removed channel's mean contribution into its consumers.
   *
   * @param onnx the model whose channels will be removed (the graph {@code groups} was found on)
   * @param kept group id → the channels that will stay, as {@link ChannelRemoval#apply} takes them
   * @param means tensor → mean per element along its axis, as {@link #means} gives them
   */
  public static Result apply(byte[] onnx, ChannelGroups groups, Map<String, int[]> kept, Map<String, double[]> means) {
    Map<String, boolean[][]> drops = ChannelRemoval.drops(groups, kept);
    Model model = Model.parse(onnx, "the model to compensate");
    Graph g = model.getGraph();
    List<Node> nodes = g.getNodeList();
    GraphView view = new GraphView(g);
    InlineWeights weights = InlineWeights.of(model);
    Map<String, OnnxWeight> byName = new HashMap<>();
    weights.list().stream().filter(w -> w.depth() == 0).forEach(w -> byName.putIfAbsent(w.tensorName(), w));
    // Read every weight first: the views share the model's bytes.
    Map<String, float[]> values = new HashMap<>();
    java.util.function.Function<String, float[]> read = name -> values.computeIfAbsent(name, k -> {
      OnnxWeight w = byName.get(k);
      return w == null || w.spec().dtype() != DType.F32 ? null : floats(weights.bytes(w.key()));
    });
    Map<String, float[]> changed = new LinkedHashMap<>();
    Map<Integer, float[]> newBiases = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    int compensated = 0;
    for (Plan.Consumer c : groups.consumers()) {
      boolean[] drop = dropped(drops, c);
      if (drop == null) {
        continue;
      }
      String label = GraphView.label(nodes.get(c.node()), c.node());
      double[] m = means.get(c.input());
      float[] w = read.apply(c.weight());
      long[] dims = view.dims(c.weight());
      if (m == null || w == null || m.length != drop.length) {
        skipped.add(label + ": no float weight or no mean of its input");
        continue;
      }
      double[] delta = lost(w, dims, c.inAxis(), c.outAxis(), drop, m);
      Target target = target(c, nodes, view, delta.length);
      float[] t = target == null ? null : read.apply(target.tensor());
      if (t != null && t.length == delta.length) {
        float[] v = changed.computeIfAbsent(target.tensor(), k -> t.clone());
        for (int o = 0; o < v.length; o++) {
          v[o] += (float) (target.sign() * delta[o]);
        }
        compensated++;
      } else if (c.bias().isEmpty() && !c.op().equals("MatMul")) {
        float[] b = new float[delta.length];
        for (int o = 0; o < b.length; o++) {
          b[o] = (float) delta[o];
        }
        newBiases.put(c.node(), b);
        compensated++;
      } else {
        skipped.add(label + ": no bias, BatchNormalization or bias Add of its own to take the mean");
      }
    }
    changed.forEach((name, v) -> {
      for (Tensor t : ChannelRemoval.tensors(g, name)) {
        t.setRawData(ArtifactWriter.floatBytes(v));
      }
    });
    newBiases.forEach((node, b) -> {
      Node n = nodes.get(node);
      String name = unique(view, n.getInput(1) + ".mean_compensation");
      g.addInitializer(Tensor.floats(name, new long[] {b.length}, ArtifactWriter.floatBytes(b)));
      n.addInput(name);
    });
    return new Result(model.toByteArray(), compensated, skipped);
  }

  /** Per output o: Σ over dropped input elements e and the other axes of W[…] · m_e. */
  private static double[] lost(float[] w, long[] dims, int inAxis, int outAxis, boolean[] drop, double[] m) {
    long inStride = Shapes.product(dims, inAxis + 1);
    long outStride = Shapes.product(dims, outAxis + 1);
    int outs = (int) dims[outAxis];
    double[] delta = new double[outs];
    for (int i = 0; i < w.length; i++) {
      int e = (int) ((i / inStride) % drop.length);
      if (drop[e]) {
        delta[(int) ((i / outStride) % outs)] += w[i] * m[e];
      }
    }
    return delta;
  }

  /**
   * Where a consumer's lost mean goes: its bias; else the running mean of a BatchNormalization that
   * alone reads its output; else (MatMul) the constant of an Add that alone reads it; null if none.
   * The tensor must have no other reader.
   */
  private static Target target(Plan.Consumer c, List<Node> nodes, GraphView view, int outs) {
    if (!c.bias().isEmpty()) {
      return view.reads(c.bias()) == 1 ? new Target(c.bias(), 1) : null;
    }
    String out = nodes.get(c.node()).getOutput(0);
    if (view.reads(out) != 1) {
      return null;
    }
    for (Node n : nodes) {
      if (!n.getInputList().contains(out)) {
        continue;
      }
      if (n.getOpType().equals("BatchNormalization") && n.getInputCount() >= 5 && n.getInput(0).equals(out)
          && view.reads(n.getInput(3)) == 1 && vector(view, n.getInput(3), outs)) {
        // BN(x − δ) with its mean lowered by δ is BN(x).
        return new Target(n.getInput(3), -1);
      }
      if (c.op().equals("MatMul") && n.getOpType().equals("Add") && n.getInputCount() == 2) {
        String other = n.getInput(0).equals(out) ? n.getInput(1) : n.getInput(0);
        return view.reads(other) == 1 && vector(view, other, outs) ? new Target(other, 1) : null;
      }
    }
    return null;
  }

  /** The tensor that takes a consumer's lost mean, added with {@code sign}. */
  private record Target(String tensor, int sign) {}

  private static boolean vector(GraphView view, String name, int outs) {
    long[] d = view.dims(name);
    return d != null && d.length == 1 && d[0] == outs;
  }

  /** Which elements of the consumer's input axis go, or null if none. */
  private static boolean[] dropped(Map<String, boolean[][]> drops, Plan.Consumer c) {
    boolean[][] d = drops.get(c.weight());
    boolean[] drop = d == null ? null : d[c.inAxis()];
    if (drop != null) {
      for (boolean gone : drop) {
        if (gone) {
          return drop;
        }
      }
    }
    return null;
  }

  private static String unique(GraphView view, String name) {
    String n = name;
    for (int k = 2; view.dims(n) != null || view.reads(n) > 0; k++) {
      n = name + "~" + k;
    }
    return n;
  }

  private static float[] floats(byte[] b) {
    float[] v = new float[b.length / 4];
    FloatCodec.decode(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), DType.F32, v, 0, v.length);
    return v;
  }
}
