package nnzip.compress;

import java.io.Serializable;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.io.StoredTensor;

/**
 * One source tensor and what to do with it: code it with {@code codec} under {@code scope}, or
 * pass it through when {@code codec} is null.
 *
 * @param index position of the tensor in the source, the order of the artifact
 * @param source where the tensor's bytes lie
 * @param codec scalar codec, or null to store the tensor as it is
 * @param scope parameter sharing (ignored for passthrough); {@code AUTO} chooses it in pass 1
 * @param channelAxis axis of the output channels (0 for PyTorch-style weights; 1 for an ONNX MatMul
 *     weight [in, out]); ≥ 0 and inside the shape when the rank is ≥ 2
 */
public record TensorTask(int index, StoredTensor source, ScalarCodec codec, Scope scope, int channelAxis)
    implements Serializable {

  /** A task whose output channels lie along the first axis. */
  public TensorTask(int index, StoredTensor source, ScalarCodec codec, Scope scope) {
    this(index, source, codec, scope, 0);
  }

  public boolean isPassthrough() {
    return codec == null;
  }

  /** The layout the codec sees. */
  public TensorLayout layout() {
    return isPassthrough() ? TensorLayout.whole(source.spec().numElements()) : scope.layoutOf(source.spec(), channelAxis);
  }

  /**
   * An empty summary for pass 1: the codec's own for the task's layout, or the raw values under
   * {@code scope = auto}, where the grouping is chosen on the data.
   */
  public ScalarCodec.Summary newSummary() {
    if (isPassthrough()) {
      return null;
    }
    return scope == Scope.AUTO ? new TensorValues() : codec.newSummary(layout(), source.spec().dtype());
  }

  /** Same tensor, stored as it is. */
  public TensorTask asPassthrough() {
    return new TensorTask(index, source, null, scope, channelAxis);
  }
}
