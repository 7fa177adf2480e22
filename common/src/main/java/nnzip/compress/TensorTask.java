package nnzip.compress;

import java.io.Serializable;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.io.StoredTensor;

/**
 * One source tensor and what to do with it: code it with the codec {@code kind} (a scalar codec's
 * instance in {@code codec}, fitted per tensor in pass 1; a model-wide codec such as aq fitted over
 * all its tensors afterwards), or pass it through.
 *
 * @param index position of the tensor in the source, the order of the artifact
 * @param source where the tensor's bytes lie
 * @param kind the codec, {@link CodecKind#PASSTHROUGH} to store the tensor as it is
 * @param codec the scalar codec instance, or null (passthrough, or a codec that is not scalar)
 * @param scope parameter sharing (ignored for passthrough); {@code AUTO} chooses it in pass 1
 * @param channelAxis axis of the output channels (0 for PyTorch-style weights; 1 for an ONNX MatMul
 *     weight [in, out]); ≥ 0 and inside the shape when the rank is ≥ 2
 */
public record TensorTask(int index, StoredTensor source, CodecKind kind, ScalarCodec codec, Scope scope,
    int channelAxis) implements Serializable {

  public TensorTask {
    if (codec != null && codec.kind() != kind) {
      throw new IllegalArgumentException("task of kind " + kind + " with a " + codec.kind() + " codec");
    }
  }

  /** A scalar-coded task, or a passthrough one when {@code codec} is null. */
  public TensorTask(int index, StoredTensor source, ScalarCodec codec, Scope scope, int channelAxis) {
    this(index, source, codec == null ? CodecKind.PASSTHROUGH : codec.kind(), codec, scope, channelAxis);
  }

  /** A task whose output channels lie along the first axis. */
  public TensorTask(int index, StoredTensor source, ScalarCodec codec, Scope scope) {
    this(index, source, codec, scope, 0);
  }

  public boolean isPassthrough() {
    return kind == CodecKind.PASSTHROUGH;
  }

  /** The layout the codec sees. */
  public TensorLayout layout() {
    return codec == null ? TensorLayout.whole(source.spec().numElements()) : scope.layoutOf(source.spec(), channelAxis);
  }

  /**
   * An empty summary for pass 1: the codec's own for the task's layout, or the raw values under
   * {@code scope = auto}, where the grouping is chosen on the data.
   */
  public ScalarCodec.Summary newSummary() {
    if (codec == null) {
      return null;
    }
    return scope == Scope.AUTO ? new TensorValues() : codec.newSummary(layout(), source.spec().dtype());
  }

  /** Same tensor, stored as it is. */
  public TensorTask asPassthrough() {
    return new TensorTask(index, source, CodecKind.PASSTHROUGH, null, scope, channelAxis);
  }
}
