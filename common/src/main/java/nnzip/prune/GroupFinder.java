package nnzip.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.prune.Layout.Piece;
import nnzip.io.onnx.OnnxProto.Graph;
import nnzip.io.onnx.OnnxProto.Node;
import nnzip.io.onnx.OnnxProto.ValueInfo;

/**
 * One pass over the main graph's nodes in order (ONNX requires topological order) that gives each
 * Conv/Gemm/MatMul output a raw group, carries channel layouts through the ops that keep channels
 * apart, unites groups that an elementwise op ties, and refuses every group that reaches an op it
 * does not understand, a graph output, a subgraph, or a weight read elsewhere.
 */
final class GroupFinder {
  /** Ops that act on each channel separately and keep the layout of input 0. */
  static final Set<String> PASS_THROUGH = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu",
      "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Gelu", "Erf", "Abs", "Neg", "Exp", "Log", "Sqrt",
      "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Identity", "Dropout", "Clip", "Mish",
      "ThresholdedRelu", "Cast", "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
      "GlobalLpPool");
  private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean",
      "PRelu", "Pow");

  private final Graph graph;
  /** The graph's nodes, read once (each read of the wire view builds the list anew). */
  private final List<Node> nodes;
  private final GraphView view;
  private final Shapes shapes;
  private final Map<String, Layout> layouts = new HashMap<>();
  private final Map<String, Integer> understood = new HashMap<>();
  private final List<Raw> raws = new ArrayList<>();
  private final List<Integer> parent = new ArrayList<>();
  private final List<RawSlice> rawSlices = new ArrayList<>();
  private final List<RawCount> rawCounts = new ArrayList<>();
  final List<Plan.Layer> layers = new ArrayList<>();
  final List<Plan.Consumer> consumers = new ArrayList<>();
  private Map<Integer, String> ids;

  /** A {@link Plan.Slice} by raw group index. */
  private record RawSlice(int group, String weight, int axis, long offset, long block) {}

  /** A {@link Plan.Count} with raw pieces. */
  private record RawCount(int node, String weight, int index, List<Piece> pieces) {}

  /** A group before uniting: one producer. */
  private static final class Raw {
    final String weight;
    final String output;
    final int axis;
    final int channels;
    final Set<String> refusals = new LinkedHashSet<>();

    Raw(String weight, String output, int axis, int channels) {
      this.weight = weight;
      this.output = output;
      this.axis = axis;
      this.channels = channels;
    }
  }

  GroupFinder(Graph graph) {
    this.graph = graph;
    this.nodes = graph.getNodeList();
    this.view = new GraphView(graph);
    this.shapes = new Shapes(graph, view);
  }

  /** Runs the pass; call once. */
  void run() {
    for (ValueInfo in : graph.getInputList()) {
      long[] s = shapes.of(in.getName());
      if (view.constant(in.getName()) == null && s != null && s.length >= 2 && s[1] > 0) {
        layouts.put(in.getName(), Layout.single(Layout.FIXED, (int) s[1], 1, s.length));
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      shapes.infer(n);
      String op = n.getOpType();
      if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
        unknown(n, i, "op " + n.getDomain() + "." + op);
        continue;
      }
      switch (op) {
        case "Constant" -> { }
        case "Conv" -> conv(n, i);
        case "Gemm" -> gemm(n, i);
        case "MatMul" -> matMul(n, i);
        case "BatchNormalization" -> batchNorm(n, i);
        case "Concat" -> concat(n, i);
        case "Flatten" -> flatten(n, i);
        case "Reshape" -> reshape(n, i);
        case "Squeeze", "Unsqueeze" -> squeeze(n, i);
        default -> {
          if (ELEMENTWISE.contains(op)) {
            elementwise(n, i);
          } else if (PASS_THROUGH.contains(op)) {
            passThrough(n, i);
          } else {
            unknown(n, i, "op " + op);
          }
        }
      }
    }
    for (ValueInfo out : graph.getOutputList()) {
      refuse(layouts.get(out.getName()), "its channels reach the graph output '" + out.getName() + "'");
    }
    layouts.forEach((name, l) -> {
      if (view.readBySubgraph(name)) {
        refuse(l, "tensor '" + name + "' is read inside a subgraph");
      }
    });
    for (RawSlice s : rawSlices) {
      checkSoleReader(s.weight(), s.group());
    }
  }

  private void checkSoleReader(String weight, int raw) {
    boolean output = graph.getOutputList().stream().anyMatch(o -> o.getName().equals(weight));
    if (understood.getOrDefault(weight, 0) != view.reads(weight) || view.readBySubgraph(weight) || output) {
      raws.get(find(raw)).refusals.add("weight '" + weight + "' is also read by a node that does not prune it");
    }
  }

  /** The united groups in the order of their first producer. */
  List<ChannelGroup> groups() {
    Map<Integer, List<Integer>> members = new java.util.TreeMap<>();
    for (int g = 0; g < raws.size(); g++) {
      members.computeIfAbsent(find(g), k -> new ArrayList<>()).add(g);
    }
    List<ChannelGroup> out = new ArrayList<>();
    members.forEach((root, ms) -> {
      List<String> producers = ms.stream().map(g -> raws.get(g).weight).toList();
      List<String> gates = ms.stream().map(g -> gate(raws.get(g).output)).toList();
      Raw r = raws.get(root);
      List<String> reasons = new ArrayList<>(r.refusals);
      String refusal = reasons.size() <= 3 ? String.join("; ", reasons)
          : String.join("; ", reasons.subList(0, 3)) + "; and " + (reasons.size() - 3) + " more";
      out.add(new ChannelGroup(id(root), producers, gates, r.axis, r.channels, refusal));
    });
    return out;
  }

  /** Every slice, by group id, without repeats. */
  List<Plan.Slice> slices() {
    Set<Plan.Slice> out = new LinkedHashSet<>();
    for (RawSlice s : rawSlices) {
      out.add(new Plan.Slice(id(s.group()), s.weight(), s.axis(), s.offset(), s.block()));
    }
    return List.copyOf(out);
  }

  /** Every channel-counting integer to rewrite. */
  List<Plan.Count> counts() {
    List<Plan.Count> out = new ArrayList<>();
    for (RawCount c : rawCounts) {
      List<Plan.Span> spans = c.pieces().stream()
          .map(p -> new Plan.Span(p.group() == Layout.FIXED ? null : id(p.group()), p.channels(), p.block())).toList();
      out.add(new Plan.Count(c.node(), c.weight(), c.index(), spans));
    }
    return out;
  }

  private String id(int raw) {
    if (ids == null) {
      // A weight shared by two producers would name two groups alike: later ones get ~2, ~3, ….
      ids = new HashMap<>();
      Set<String> taken = new java.util.HashSet<>();
      for (int g = 0; g < raws.size(); g++) {
        if (find(g) == g) {
          String id = raws.get(g).weight;
          for (int k = 2; !taken.add(id); k++) {
            id = raws.get(g).weight + "~" + k;
          }
          ids.put(g, id);
        }
      }
    }
    return ids.get(find(raw));
  }

  /** The producer's output, or the output of a BatchNormalization that is its only reader. */
  private String gate(String output) {
    if (view.reads(output) != 1 || graph.getOutputList().stream().anyMatch(o -> o.getName().equals(output))) {
      return output;
    }
    for (Node n : nodes) {
      if (n.getOpType().equals("BatchNormalization") && n.getInput(0).equals(output) && layouts.containsKey(n.getOutput(0))) {
        return n.getOutput(0);
      }
    }
    return output;
  }

  // ---- ops -------------------------------------------------------------------------------------

  private void conv(Node n, int i) {
    String w = n.getInput(1);
    long[] wd = view.dims(w);
    String bias = n.getInputCount() > 2 ? n.getInput(2) : "";
    if (wd == null || wd.length < 3 || (!bias.isEmpty() && view.dims(bias) == null)) {
      unknown(n, i, "Conv with computed weights");
      return;
    }
    read(w);
    read(bias);
    String label = GraphView.label(n, i);
    long[] os = shapes.of(n.getOutput(0));
    layers.add(new Plan.Layer(label, "Conv", params(w, bias), w, 0, os == null ? -1 : Shapes.product(os, 2)));
    Layout lx = layouts.get(n.getInput(0));
    long group = GraphView.integer(n, "group", 1);
    int out = (int) wd[0];
    if (group == 1) {
      if (lx != null && lx.axis() == 1) {
        slices(lx, w, 1);
        consumers.add(new Plan.Consumer(i, "Conv", n.getInput(0), 1, w, 1, 0, bias));
      } else {
        refuse(lx, "Conv '" + label + "' reads them on axis " + (lx == null ? "?" : lx.axis()));
      }
      int id = newGroup(w, n.getOutput(0), 1, out);
      slice(id, w, 0);
      slice(id, bias, 0);
      layouts.put(n.getOutput(0), Layout.single(id, out, 1, wd.length));
    } else if (wd[1] == 1 && out == group && (lx == null || (lx.axis() == 1 && lx.size() == group))) {
      // Depthwise: output channel c is input channel c, so the layout passes and `group` shrinks.
      if (lx == null) {
        layouts.put(n.getOutput(0), Layout.single(Layout.FIXED, out, 1, wd.length));
        return;
      }
      slices(lx, w, 0);
      slices(lx, bias, 0);
      rawCounts.add(new RawCount(i, null, 0, lx.pieces()));
      layouts.put(n.getOutput(0), lx);
    } else {
      refuse(lx, "grouped Conv '" + label + "' (group " + group + ") reads them");
      layouts.put(n.getOutput(0), Layout.single(Layout.FIXED, out, 1, wd.length));
    }
  }

  private void gemm(Node n, int i) {
    String b = n.getInput(1);
    long[] bd = view.dims(b);
    String c = n.getInputCount() > 2 ? n.getInput(2) : "";
    if (bd == null || bd.length != 2 || (!c.isEmpty() && view.dims(c) == null)) {
      unknown(n, i, "Gemm with computed weights");
      return;
    }
    read(b);
    read(c);
    boolean transB = GraphView.integer(n, "transB", 0) != 0;
    int inAxis = transB ? 1 : 0;
    int outAxis = 1 - inAxis;
    String label = GraphView.label(n, i);
    layers.add(new Plan.Layer(label, "Gemm", params(b, c), b, outAxis, 1));
    Layout la = layouts.get(n.getInput(0));
    if (la != null && GraphView.integer(n, "transA", 0) == 0 && la.axis() == 1 && la.rank() == 2) {
      slices(la, b, inAxis);
      consumers.add(new Plan.Consumer(i, "Gemm", n.getInput(0), 1, b, inAxis, outAxis, c));
    } else {
      refuse(la, "Gemm '" + label + "' reads them transposed or from a tensor of rank " + (la == null ? "?" : la.rank()));
    }
    int out = (int) bd[outAxis];
    int id = newGroup(b, n.getOutput(0), 1, out);
    slice(id, b, outAxis);
    if (!c.isEmpty()) {
      long[] cd = view.dims(c);
      long count = Shapes.product(cd, 0);
      boolean vector = cd.length >= 1 && cd[cd.length - 1] == out && count == out;
      if (vector) {
        slice(id, c, cd.length - 1);
      } else if (count != 1) {
        raws.get(id).refusals.add("Gemm '" + label + "' has a bias of shape " + Arrays.toString(cd));
      }
    }
    layouts.put(n.getOutput(0), Layout.single(id, out, 1, 2));
  }

  private void matMul(Node n, int i) {
    String b = n.getInput(1);
    long[] bd = view.dims(b);
    if (bd == null || bd.length != 2) {
      unknown(n, i, "MatMul with a computed or batched right operand");
      return;
    }
    read(b);
    String label = GraphView.label(n, i);
    Layout la = layouts.get(n.getInput(0));
    long[] as = shapes.of(n.getInput(0));
    int rank = la != null ? la.rank() : as != null ? as.length : -1;
    long spatial = as != null && as.length >= 2 ? Shapes.product(Arrays.copyOfRange(as, 1, as.length - 1), 0) : -1;
    layers.add(new Plan.Layer(label, "MatMul", List.of(b), b, 1, rank == 2 ? 1 : spatial));
    if (la != null && la.axis() == la.rank() - 1) {
      slices(la, b, 0);
      consumers.add(new Plan.Consumer(i, "MatMul", n.getInput(0), la.axis(), b, 0, 1, ""));
    } else {
      refuse(la, "MatMul '" + label + "' reads them on a non-last axis");
    }
    int id = newGroup(b, n.getOutput(0), Math.max(rank - 1, 1), (int) bd[1]);
    slice(id, b, 1);
    if (rank < 2) {
      raws.get(id).refusals.add("MatMul '" + label + "' has an input of unknown rank");
      return;
    }
    layouts.put(n.getOutput(0), Layout.single(id, (int) bd[1], rank - 1, rank));
  }

  private void batchNorm(Node n, int i) {
    List<String> ps = n.getInputList().subList(1, Math.min(5, n.getInputCount()));
    boolean constants = ps.size() == 4 && ps.stream().allMatch(p -> view.dims(p) != null && view.dims(p).length == 1);
    boolean extraOutputs = n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty());
    if (!constants || extraOutputs) {
      unknown(n, i, "BatchNormalization with computed parameters or training outputs");
      return;
    }
    ps.forEach(this::read);
    layers.add(new Plan.Layer(GraphView.label(n, i), "BatchNormalization", ps, ps.get(0), 0, 0));
    Layout lx = layouts.get(n.getInput(0));
    if (lx == null) {
      return;
    }
    if (lx.axis() != 1) {
      unknown(n, i, "BatchNormalization of a non-channel axis");
      return;
    }
    ps.forEach(p -> slices(lx, p, 0));
    layouts.put(n.getOutput(0), lx);
  }

  private void passThrough(Node n, int i) {
    for (int k = 1; k < n.getInputCount(); k++) {
      if (layouts.containsKey(n.getInput(k))) {
        unknown(n, i, n.getOpType() + " with channels in input " + k);
        return;
      }
    }
    boolean poolIndices = n.getOpType().equals("MaxPool") && n.getOutputCount() > 1 && !n.getOutput(1).isEmpty();
    if (poolIndices) {
      unknown(n, i, "MaxPool with indices");
      return;
    }
    Layout lx = layouts.get(n.getInput(0));
    if (lx != null) {
      layouts.put(n.getOutput(0), lx);
    }
  }

  private void elementwise(Node n, int i) {
    String label = GraphView.label(n, i);
    Layout first = null;
    for (String in : n.getInputList()) {
      Layout l = layouts.get(in);
      if (l == null) {
        continue;
      }
      if (first == null) {
        first = l;
      } else if (!tie(first, l, label)) {
        unknown(n, i, n.getOpType() + " of differently split channels");
        return;
      }
    }
    if (first == null) {
      return;
    }
    for (String in : n.getInputList()) {
      if (layouts.containsKey(in)) {
        continue;
      }
      long[] cd = view.dims(in);
      if (cd == null) {
        unknown(n, i, n.getOpType() + " with the computed operand '" + in + "'");
        return;
      }
      read(in);
      int pos = first.axis() - (first.rank() - cd.length);
      if (pos >= 0 && cd[pos] != 1) {
        if (cd[pos] != first.size()) {
          unknown(n, i, n.getOpType() + " with a constant of shape " + Arrays.toString(cd));
          return;
        }
        slices(first, in, pos);
      }
    }
    layouts.put(n.getOutput(0), first);
  }

  /** Unites the groups of two layouts piece by piece; false if their pieces differ. */
  private boolean tie(Layout a, Layout b, String where) {
    if (!a.sameShapeAs(b)) {
      return false;
    }
    for (int k = 0; k < a.pieces().size(); k++) {
      int ga = a.pieces().get(k).group();
      int gb = b.pieces().get(k).group();
      if (ga == Layout.FIXED && gb != Layout.FIXED) {
        raws.get(find(gb)).refusals.add("'" + where + "' ties them to channels that cannot be pruned");
      } else if (gb == Layout.FIXED && ga != Layout.FIXED) {
        raws.get(find(ga)).refusals.add("'" + where + "' ties them to channels that cannot be pruned");
      } else if (ga != Layout.FIXED) {
        union(ga, gb);
      }
    }
    return true;
  }

  private void concat(Node n, int i) {
    List<Piece> pieces = new ArrayList<>();
    int axis = (int) GraphView.integer(n, "axis", 0);
    int rank = -1;
    boolean any = false;
    for (String in : n.getInputList()) {
      Layout l = layouts.get(in);
      long[] s = shapes.of(in);
      int r = l != null ? l.rank() : s != null ? s.length : -1;
      int ax = axis < 0 && r > 0 ? axis + r : axis;
      if (l != null && l.axis() == ax && (rank < 0 || rank == r)) {
        pieces.addAll(l.pieces());
        any = true;
      } else if (l == null && s != null && ax < s.length && s[ax] > 0 && (rank < 0 || rank == r)) {
        pieces.add(new Piece(Layout.FIXED, (int) s[ax], 1));
      } else {
        unknown(n, i, "Concat along another axis than the channels, or of unknown size");
        return;
      }
      rank = r;
    }
    if (any) {
      layouts.put(n.getOutput(0), new Layout(axis < 0 ? axis + rank : axis, rank, pieces));
    }
  }

  private void flatten(Node n, int i) {
    Layout lx = layouts.get(n.getInput(0));
    if (lx == null) {
      return;
    }
    long axis = GraphView.integer(n, "axis", 1);
    long[] xs = shapes.of(n.getInput(0));
    long inner = xs == null ? -1 : Shapes.product(xs, 2);
    if (axis == 1 && lx.axis() == 1 && (lx.rank() == 2 || inner > 0)) {
      layouts.put(n.getOutput(0), lx.widened(lx.rank() == 2 ? 1 : inner, 1, 2));
    } else {
      unknown(n, i, "Flatten with axis " + axis + " or of unknown spatial size");
    }
  }

  private void reshape(Node n, int i) {
    Layout lx = layouts.get(n.getInput(0));
    if (lx == null) {
      return;
    }
    String shape = n.getInputCount() > 1 ? n.getInput(1) : "";
    long[] target = view.integers(shape);
    long[] xs = shapes.of(n.getInput(0));
    long inner = lx.rank() == 2 ? 1 : xs == null ? -1 : Shapes.product(xs, 2);
    if (target == null || target.length != 2 || lx.axis() != 1 || inner <= 0
        || GraphView.integer(n, "allowzero", 0) != 0) {
      unknown(n, i, "Reshape to " + (target == null ? "a computed shape" : Arrays.toString(target)));
      return;
    }
    long batch = xs == null ? -1 : xs[0];
    boolean batchKept = target[0] == 0 || target[0] == -1 || (batch > 0 && target[0] == batch);
    Layout out = lx.widened(inner, 1, 2);
    read(shape);
    if (batchKept && target[1] == -1 && target[0] != -1) {
      layouts.put(n.getOutput(0), out);
    } else if (batchKept && target[1] == out.size() && view.reads(shape) == 1 && !view.readBySubgraph(shape)) {
      rawCounts.add(new RawCount(i, shape, 1, out.pieces()));
      layouts.put(n.getOutput(0), out);
    } else {
      unknown(n, i, "Reshape to " + Arrays.toString(target));
    }
  }

  private void squeeze(Node n, int i) {
    Layout lx = layouts.get(n.getInput(0));
    if (lx == null) {
      return;
    }
    long[] axes = GraphView.integers(n, "axes");
    if (axes == null && n.getInputCount() > 1) {
      axes = view.integers(n.getInput(1));
      read(n.getInput(1));
    }
    boolean squeeze = n.getOpType().equals("Squeeze");
    if (axes == null) {
      unknown(n, i, n.getOpType() + " with computed axes");
      return;
    }
    int rank = squeeze ? lx.rank() - axes.length : lx.rank() + axes.length;
    int[] norm = Arrays.stream(axes).mapToInt(a -> (int) (a < 0 ? a + (squeeze ? lx.rank() : rank) : a)).sorted().toArray();
    int axis = lx.axis();
    for (int a : norm) {
      if (squeeze && a == lx.axis()) {
        unknown(n, i, "Squeeze of the channel axis");
        return;
      }
      if (squeeze && a < lx.axis()) {
        axis--;
      } else if (!squeeze && a <= axis) {
        axis++;
      }
    }
    layouts.put(n.getOutput(0), new Layout(axis, rank, lx.pieces()));
  }

  private void unknown(Node n, int i, String what) {
    for (String in : n.getInputList()) {
      refuse(layouts.get(in), what + " in node '" + GraphView.label(n, i) + "' reads them");
    }
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  private int newGroup(String weight, String output, int axis, int channels) {
    raws.add(new Raw(weight, output, axis, channels));
    parent.add(raws.size() - 1);
    return raws.size() - 1;
  }

  private int find(int g) {
    while (parent.get(g) != g) {
      parent.set(g, parent.get(parent.get(g)));
      g = parent.get(g);
    }
    return g;
  }

  private void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra != rb) {
      // The lower index (earlier producer) is the root, so a group's id is its first producer.
      parent.set(Math.max(ra, rb), Math.min(ra, rb));
      raws.get(Math.min(ra, rb)).refusals.addAll(raws.get(Math.max(ra, rb)).refusals);
    }
  }

  private void refuse(Layout l, String reason) {
    if (l != null) {
      l.pieces().stream().filter(p -> p.group() != Layout.FIXED).forEach(p -> raws.get(find(p.group())).refusals.add(reason));
    }
  }

  private void read(String weight) {
    if (!weight.isEmpty()) {
      understood.merge(weight, 1, Integer::sum);
    }
  }

  private void slice(int group, String weight, int axis) {
    if (!weight.isEmpty()) {
      rawSlices.add(new RawSlice(group, weight, axis, 0, 1));
    }
  }

  private void slices(Layout l, String weight, int axis) {
    if (weight.isEmpty()) {
      return;
    }
    long[] d = view.dims(weight);
    if (d == null || axis >= d.length || d[axis] != l.size()) {
      refuse(l, "weight '" + weight + "' does not match their count");
      return;
    }
    long offset = 0;
    for (Piece p : l.pieces()) {
      if (p.group() != Layout.FIXED) {
        rawSlices.add(new RawSlice(p.group(), weight, axis, offset, p.block()));
      }
      offset += p.channels() * p.block();
    }
  }

  private static List<String> params(String... names) {
    return Arrays.stream(names).filter(s -> !s.isEmpty()).toList();
  }
}
