package nnzip.prune;

import java.util.List;

/** The edits that removing a group's channels makes, as found by {@link GroupFinder}. */
final class Plan {
  private Plan() {}

  /**
   * Channel c of {@code group} occupies elements [offset + c·block, offset + (c+1)·block) of
   * {@code weight} along {@code axis}.
   */
  record Slice(String group, String weight, int axis, long offset, long block) {}

  /** Channels of one group (null: fixed channels) counted with {@code block} elements each. */
  record Span(String group, int channels, long block) {}

  /**
   * An integer that counts channels: the {@code group} attribute of depthwise Conv node {@code
   * node} (weight null), or entry {@code index} of the INT64 shape constant {@code weight}.
   */
  record Count(int node, String weight, int index, List<Span> spans) {
    Count {
      spans = List.copyOf(spans);
    }
  }

  /**
   * One weighted node of the table: its parameters, the weight whose {@code outAxis} counts its
   * output channels, and output positions per example (H·W for Conv, 1 for Gemm, −1 unknown,
   * 0 for no FLOPs).
   */
  record Layer(String name, String op, List<String> params, String outWeight, int outAxis, long spatial) {
    Layer {
      params = List.copyOf(params);
    }
  }

  /**
   * A Conv (not grouped), Gemm or MatMul that reads channels on its input: element e of {@code
   * input}'s axis {@code channelAxis} meets index e of {@code weight}'s axis {@code inAxis} (Flatten
   * blocks included), and its outputs run along the weight's {@code outAxis}.
   *
   * @param node index of the node in the graph
   * @param bias the node's own bias input (Conv's third, Gemm's C), or "" when it has none
   */
  record Consumer(int node, String op, String input, int channelAxis, String weight, int inAxis, int outAxis,
      String bias) {}
}
