package nnzip.train.chain;

import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a chain with its buffers for one batch size: activations are [n, per-example size]
 * c-order arrays; a step may keep what its backward pass needs from the forward pass.
 */
interface Step {
  /**
   * Computes the output from x. ReLU and reshapes return x itself (ReLU overwritten in place): no
   * other step needs its output after its forward pass.
   *
   * @param weights the current value of each weight key
   */
  INDArray forward(INDArray x, Function<String, INDArray> weights);

  /**
   * Back-propagates the gradient of the output, adding weight gradients into {@code grads} (by key,
   * c-order flattened) and returning the input's gradient, or null when {@code needInput} is false.
   */
  INDArray backward(INDArray gOut, boolean needInput, Function<String, INDArray> weights, Map<String, float[]> grads);

  /** Adds a flat gradient into the map entry of {@code key}. */
  static void accumulate(Map<String, float[]> grads, String key, INDArray g) {
    boolean whole = !g.isView() && g.ordering() == 'c' && g.data().length() == g.length();
    float[] v = Kernels.read(whole ? g : g.dup('c'), null);
    float[] into = grads.get(key);
    if (into == null) {
      grads.put(key, v);
    } else {
      for (int i = 0; i < v.length; i++) {
        into[i] += v[i];
      }
    }
  }
}
