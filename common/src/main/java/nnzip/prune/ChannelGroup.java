package nnzip.prune;

import java.util.List;
import java.util.Objects;

/**
 * One set of channels that must be pruned together: the output channels of one or more producing
 * layers (Conv, Gemm, MatMul) that a residual Add or another tie binds into one channel space.
 * Channel {@code c} of the group is channel {@code c} of every producer.
 *
 * @param id stable name: the weight of the first producer in node order (e.g. {@code conv1.weight})
 * @param producers ONNX names of the producers' weight tensors (initializers or Constant outputs),
 *     in node order; non-empty
 * @param gateTensors the tensors at which scaling channel {@code c} by s scales the group's channel
 *     c: each producer's output, or the output of the BatchNormalization that directly and solely
 *     follows it; same order as {@code producers}
 * @param gateAxis the channel axis of the gate tensors (1 for NCHW and [N, F], the last for MatMul)
 * @param channels number of channels C, ≥ 1
 * @param refusal why the group must stay whole, or "" when it is prunable
 */
public record ChannelGroup(
    String id, List<String> producers, List<String> gateTensors, int gateAxis, int channels, String refusal) {

  public ChannelGroup {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(refusal, "refusal");
    producers = List.copyOf(producers);
    gateTensors = List.copyOf(gateTensors);
    if (producers.isEmpty()) {
      throw new IllegalArgumentException("group '" + id + "' has no producer");
    }
    if (channels < 1) {
      throw new IllegalArgumentException("group '" + id + "' has " + channels + " channels");
    }
  }

  /** True when the group's channels can be removed. */
  public boolean prunable() {
    return refusal.isEmpty();
  }
}
