package nnzip.train.chain;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Small shared pieces of the chain kernels. */
final class Kernels {
  private Kernels() {}

  /**
   * The array's elements as a buffer over its native memory (no copy). Only for arrays this package
   * allocated or weights written in place: c order, no offset.
   */
  static FloatBuffer floats(INDArray a) {
    if (a.isView() || a.ordering() != 'c') {
      throw new IllegalStateException("kernel arrays must be whole c-order buffers");
    }
    return a.data().asNioFloat();
  }

  /**
   * Copies the array's elements into {@code into} (grown when too small) in one bulk copy: loops over
   * Java arrays run several times faster than element access to native buffers.
   */
  static float[] read(INDArray a, float[] into) {
    FloatBuffer b = floats(a);
    float[] v = into != null && into.length >= b.limit() ? into : new float[b.limit()];
    b.get(0, v, 0, b.limit());
    return v;
  }

  /** Copies the first a.length() values of {@code from} into the array, in one bulk copy. */
  static void write(float[] from, INDArray a) {
    FloatBuffer b = floats(a);
    b.put(0, from, 0, b.limit());
  }

  /** Runs one libnd4j op by name on preallocated outputs. */
  static void exec(String op, INDArray[] in, INDArray[] out, double[] real, int... ints) {
    DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op).addInputs(in).addOutputs(out)
        .addIntegerArguments(ints);
    if (real.length > 0) {
      b.addFloatingPointArguments(java.util.Arrays.stream(real).boxed().toArray(Double[]::new));
    }
    Nd4j.exec(b.build());
  }
}
