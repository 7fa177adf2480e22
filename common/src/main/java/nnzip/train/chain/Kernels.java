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

  /** The array itself when it is a whole c-order buffer, else a c-order copy. */
  static INDArray whole(INDArray a) {
    return !a.isView() && a.ordering() == 'c' && a.data().length() == a.length() ? a : a.dup('c');
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

  /*
   * Sums in double with four accumulators (elements i mod 4 apart), combined in a fixed order: the
   * same result every time, without one long chain of dependent additions.
   */

  /** Σ v[from .. from + len). */
  static double sum(float[] v, int from, int len) {
    double a = 0;
    double b = 0;
    double c = 0;
    double d = 0;
    int i = from;
    for (int end = from + (len & ~3); i < end; i += 4) {
      a += v[i];
      b += v[i + 1];
      c += v[i + 2];
      d += v[i + 3];
    }
    for (int end = from + len; i < end; i++) {
      a += v[i];
    }
    return (a + b) + (c + d);
  }

  /** Σ (v[i] − mu)² over [from, from + len). */
  static double squaredDeviations(float[] v, int from, int len, double mu) {
    double a = 0;
    double b = 0;
    double c = 0;
    double d = 0;
    int i = from;
    for (int end = from + (len & ~3); i < end; i += 4) {
      double x0 = v[i] - mu;
      double x1 = v[i + 1] - mu;
      double x2 = v[i + 2] - mu;
      double x3 = v[i + 3] - mu;
      a += x0 * x0;
      b += x1 * x1;
      c += x2 * x2;
      d += x3 * x3;
    }
    for (int end = from + len; i < end; i++) {
      double x0 = v[i] - mu;
      a += x0 * x0;
    }
    return (a + b) + (c + d);
  }

  /** Σ u[i]·v[i] over [from, from + len). */
  static double dot(float[] u, float[] v, int from, int len) {
    double a = 0;
    double b = 0;
    double c = 0;
    double d = 0;
    int i = from;
    for (int end = from + (len & ~3); i < end; i += 4) {
      a += (double) u[i] * v[i];
      b += (double) u[i + 1] * v[i + 1];
      c += (double) u[i + 2] * v[i + 2];
      d += (double) u[i + 3] * v[i + 3];
    }
    for (int end = from + len; i < end; i++) {
      a += (double) u[i] * v[i];
    }
    return (a + b) + (c + d);
  }
}
