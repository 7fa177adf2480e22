package nnzip.prune;

import java.util.List;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxProto.Model;

/**
 * The prunable channel groups of an ONNX model and, for each, every tensor axis, attribute and
 * shape constant its channels occupy. Found by one pass over the nodes in order, following each
 * Conv/Gemm/MatMul output through the ops that keep channels apart; anything else leaves the
 * groups that reach it whole, with the reason, so removal never yields a graph that fails to run.
 */
public final class ChannelGroups {
  private final Model model;
  private final List<ChannelGroup> groups;
  private final List<Plan.Slice> slices;
  private final List<Plan.Count> counts;
  private final List<Plan.Layer> layers;
  private final List<Plan.Consumer> consumers;

  private ChannelGroups(Model model, GroupFinder f) {
    this.model = model;
    this.groups = List.copyOf(f.groups());
    this.slices = f.slices();
    this.counts = List.copyOf(f.counts());
    this.layers = List.copyOf(f.layers);
    this.consumers = List.copyOf(f.consumers);
  }

  /**
   * Finds the groups of a serialized model.
   *
   * @throws InvalidInputException if the bytes are no ONNX model or nothing in it can be pruned
   */
  public static ChannelGroups of(byte[] onnx) {
    return of(Model.parse(onnx, "the model to prune"));
  }

  /**
   * Finds the groups of a parsed model (main graph; weights in initializers or Constant nodes).
   *
   * @throws InvalidInputException if nothing in the model can be pruned, naming the first refusal
   */
  public static ChannelGroups of(Model model) {
    GroupFinder f = new GroupFinder(model.getGraph());
    f.run();
    ChannelGroups g = new ChannelGroups(model, f);
    if (g.prunable().isEmpty()) {
      throw new InvalidInputException(g.groups.isEmpty()
          ? "nothing to prune: the graph has no Conv, Gemm or MatMul with constant weights"
          : "nothing to prune: none of the " + g.groups.size() + " channel groups can be pruned (first, '"
              + g.groups.get(0).id() + "': " + g.groups.get(0).refusal() + ")");
    }
    return g;
  }

  /** All groups, prunable or not, in the order of their first producer; unmodifiable. */
  public List<ChannelGroup> groups() {
    return groups;
  }

  /** The prunable groups, in order. */
  public List<ChannelGroup> prunable() {
    return groups.stream().filter(ChannelGroup::prunable).toList();
  }

  /**
   * The group with this id.
   *
   * @throws IllegalArgumentException if there is none
   */
  public ChannelGroup get(String id) {
    for (ChannelGroup g : groups) {
      if (g.id().equals(id)) {
        return g;
      }
    }
    throw new IllegalArgumentException("no channel group '" + id + "'");
  }

  /** The model the groups were found on. */
  public Model model() {
    return model;
  }

  List<Plan.Slice> slices() {
    return slices;
  }

  List<Plan.Count> counts() {
    return counts;
  }

  List<Plan.Layer> layers() {
    return layers;
  }

  List<Plan.Consumer> consumers() {
    return consumers;
  }
}
