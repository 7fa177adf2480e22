package nnzip.prune;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import nnzip.InvalidInputException;

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
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The per-layer table that keeping {@code keptCounts.get(id)} channels of each named group would
   * give, without writing a model (for choosing counts that meet a parameter or FLOP budget).
   *
   * @param keptCounts group id → channels kept, in [1, C]; groups not named keep all
   * @throws IllegalArgumentException if a group id is unknown or a count is out of range
   */
  public static List<LayerStats> count(ChannelGroups groups, Map<String, Integer> keptCounts) {
    throw new UnsupportedOperationException("not yet");
  }
}
