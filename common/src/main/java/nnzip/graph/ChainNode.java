package nnzip.graph;

/**
 * A {@link ChainLayer} and the tensors it reads, in a list of nodes in graph order: tensor 0 is the
 * graph input and tensor k ≥ 1 the output of node k − 1. A plain chain reads {k} at node k; a
 * residual join reads two earlier tensors.
 *
 * @param layer what the node computes
 * @param inputs the tensors it reads (two for {@link ChainLayer.Add}, one otherwise), each below the
 *     node's own output index
 */
public record ChainNode(ChainLayer layer, int[] inputs) {
  public ChainNode {
    int want = layer instanceof ChainLayer.Add ? 2 : 1;
    if (inputs.length != want) {
      throw new IllegalArgumentException(layer.getClass().getSimpleName() + " reads " + want + " tensors, got "
          + inputs.length);
    }
    inputs = inputs.clone();
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  /** Input i. */
  public int input(int i) {
    return inputs[i];
  }
}
