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
 * @param scope parameter sharing (ignored for passthrough)
 */
public record TensorTask(int index, StoredTensor source, ScalarCodec codec, Scope scope) implements Serializable {

  public boolean isPassthrough() {
    return codec == null;
  }

  /** The layout the codec sees. */
  public TensorLayout layout() {
    return isPassthrough() ? TensorLayout.whole(source.spec().numElements()) : scope.layoutOf(source.spec());
  }

  /** Same tensor, stored as it is. */
  public TensorTask asPassthrough() {
    return new TensorTask(index, source, null, scope);
  }
}
