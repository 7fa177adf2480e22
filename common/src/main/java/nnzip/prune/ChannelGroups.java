package nnzip.prune;

import java.util.List;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;

/**
 * The prunable channel groups of an ONNX model and, for each, every tensor axis, attribute and
 * shape constant its channels occupy. Found by one pass over the nodes in order, following each
 * Conv/Gemm/MatMul output through the ops that keep channels apart; anything else leaves the
 * groups that reach it whole, with the reason, so removal never yields a graph that fails to run.
 */
public final class ChannelGroups {
  private ChannelGroups() {}

  /**
   * Finds the groups of a serialized model.
   *
   * @throws InvalidInputException if the bytes are no ONNX model or nothing in it can be pruned
   */
  public static ChannelGroups of(byte[] onnx) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Finds the groups of a parsed model (main graph; weights in initializers or Constant nodes).
   *
   * @throws InvalidInputException if nothing in the model can be pruned, naming the first refusal
   */
  public static ChannelGroups of(ModelProto model) {
    throw new UnsupportedOperationException("not yet");
  }

  /** All groups, prunable or not, in the order of their first producer; unmodifiable. */
  public List<ChannelGroup> groups() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The prunable groups, in order. */
  public List<ChannelGroup> prunable() {
    return groups().stream().filter(ChannelGroup::prunable).toList();
  }

  /**
   * The group with this id.
   *
   * @throws IllegalArgumentException if there is none
   */
  public ChannelGroup get(String id) {
    for (ChannelGroup g : groups()) {
      if (g.id().equals(id)) {
        return g;
      }
    }
    throw new IllegalArgumentException("no channel group '" + id + "'");
  }
}
