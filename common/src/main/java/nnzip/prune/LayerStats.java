package nnzip.prune;

import java.util.Objects;

/**
 * Size of one weighted layer before and after channel removal, one row of the prune table.
 * FLOPs count 2 per multiply-add of Conv, Gemm and MatMul for one example at the graph's static
 * shapes (0 for BatchNormalization), so they compare across models but not with wall time.
 *
 * @param layer the node's name (or {@code <op>@<index>} when unnamed)
 * @param op the ONNX operator
 * @param channelsBefore output channels before removal
 * @param channelsAfter output channels after removal
 * @param paramsBefore elements of the layer's weights (weight, bias, BN scale/shift/mean/var) before
 * @param paramsAfter the same after removal
 * @param flopsBefore floating-point operations per example before removal
 * @param flopsAfter the same after removal
 */
public record LayerStats(
    String layer,
    String op,
    long channelsBefore,
    long channelsAfter,
    long paramsBefore,
    long paramsAfter,
    long flopsBefore,
    long flopsAfter) {

  public LayerStats {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(op, "op");
    if (channelsAfter > channelsBefore || paramsAfter > paramsBefore || flopsAfter > flopsBefore) {
      throw new IllegalArgumentException("layer '" + layer + "' grows when pruned");
    }
  }
}
