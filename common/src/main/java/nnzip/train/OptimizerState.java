package nnzip.train;

/**
 * The running state of an {@link Optimizer}: the step count and, per parameter, the first moment
 * (Adam) or velocity (SGD) and the second moment (Adam only; zeros otherwise). Mutable; checkpoints
 * copy it.
 *
 * @param step steps taken so far, ≥ 0 (held in a one-element array so the record can advance it)
 * @param first per parameter, same lengths as the parameters
 * @param second per parameter, same lengths as the parameters
 */
public record OptimizerState(long[] step, float[][] first, float[][] second) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Fresh state (all zero) for parameters of these sizes. */
  public static OptimizerState zeros(float[][] params) {
    float[][] m = new float[params.length][];
    float[][] v = new float[params.length][];
    for (int i = 0; i < params.length; i++) {
      m[i] = new float[params[i].length];
      v[i] = new float[params[i].length];
    }
    return new OptimizerState(new long[] {0}, m, v);
  }

  /** Steps taken so far. */
  public long steps() {
    return step[0];
  }

  long advance() {
    return ++step[0];
  }

  void requireFits(float[][] params) {
    if (params.length != first.length) {
      throw new IllegalArgumentException("optimizer state holds " + first.length + " parameters, got " + params.length);
    }
    for (int i = 0; i < params.length; i++) {
      if (params[i].length != first[i].length) {
        throw new IllegalArgumentException("parameter " + i + " has " + params[i].length
            + " values, the optimizer state " + first[i].length);
      }
    }
  }

  /** A deep copy. */
  public OptimizerState copy() {
    float[][] m = new float[first.length][];
    float[][] v = new float[second.length][];
    for (int i = 0; i < m.length; i++) {
      m[i] = first[i].clone();
      v[i] = second[i].clone();
    }
    return new OptimizerState(new long[] {step[0]}, m, v);
  }
}
