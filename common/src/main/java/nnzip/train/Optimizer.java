package nnzip.train;

import java.util.Locale;

/**
 * A first-order update rule with its hyperparameters: Adam (Kingma and Ba 2015, bias-corrected) or
 * SGD with optional heavy-ball momentum. Updates run in plain Java in a fixed order, so the same
 * gradients give bit-identical parameters on any machine; the state lives in {@link OptimizerState}.
 *
 * @param kind the rule
 * @param learningRate step size, finite and &gt; 0
 * @param beta1 Adam's first-moment decay, or SGD's momentum; in [0, 1)
 * @param beta2 Adam's second-moment decay, in [0, 1) (unused by SGD)
 * @param epsilon Adam's denominator guard, &gt; 0 (unused by SGD)
 * @param schedule how the step size changes over a run
 */
public record Optimizer(Kind kind, double learningRate, double beta1, double beta2, double epsilon,
    Schedule schedule) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** The step size over a run of T steps. */
  public enum Schedule {
    /** The same step size throughout. */
    CONSTANT,
    /** Cosine annealing (Loshchilov and Hutter): lr · ½(1 + cos(π·(t−1)/T)) at step t = 1..T. */
    COSINE;

    /**
     * The schedule for a config string ("constant" or "cosine", any case).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static Schedule parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schedule '" + s + "' is not one of constant, cosine");
      }
    }

    /** The factor on the step size at step t (1-based) of a run of {@code total} steps. */
    public double factor(long t, long total) {
      if (this == CONSTANT || total <= 0) {
        return 1;
      }
      return 0.5 * (1 + Math.cos(Math.PI * Math.min(t - 1, total) / total));
    }
  }

  /** An optimizer with a constant step size. */
  public Optimizer(Kind kind, double learningRate, double beta1, double beta2, double epsilon) {
    this(kind, learningRate, beta1, beta2, epsilon, Schedule.CONSTANT);
  }

  /** This optimizer with another schedule. */
  public Optimizer withSchedule(Schedule s) {
    return new Optimizer(kind, learningRate, beta1, beta2, epsilon, s);
  }

  /** The update rules. */
  public enum Kind {
    ADAM, SGD;

    /**
     * The rule for a config string ("adam" or "sgd", any case).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static Kind parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("optimizer '" + s + "' is not one of adam, sgd");
      }
    }
  }

  /** Checks every range. */
  public Optimizer {
    if (!(learningRate > 0 && Double.isFinite(learningRate))) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta1/momentum and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    }
    java.util.Objects.requireNonNull(schedule, "schedule");
  }

  /** Adam with the usual betas (0.9, 0.999) and epsilon 1e-8. */
  public static Optimizer adam(double learningRate) {
    return new Optimizer(Kind.ADAM, learningRate, 0.9, 0.999, 1e-8);
  }

  /** SGD with momentum (0 for plain SGD). */
  public static Optimizer sgd(double learningRate, double momentum) {
    return new Optimizer(Kind.SGD, learningRate, momentum, 0, 1e-8);
  }

  /**
   * Applies one update in place.
   *
   * @param params parameter arrays, updated in place
   * @param grads mean gradient per parameter, same lengths as params
   * @param state the rule's state, advanced by one step
   */
  public void apply(float[][] params, float[][] grads, OptimizerState state) {
    apply(params, grads, state, 0);
  }

  /**
   * Applies one update of a run of {@code totalSteps} steps in place; the schedule sets the step size
   * from the state's step count, so a resumed run continues the schedule exactly.
   */
  public void apply(float[][] params, float[][] grads, OptimizerState state, long totalSteps) {
    state.requireFits(params);
    long t = state.advance();
    double lr = learningRate * schedule.factor(t, totalSteps);
    // PyTorch's form: lr · m̂ / (√v̂ + ε) with the bias corrections applied to both moments.
    // PyTorch's form: lr · m̂ / (√v̂ + ε) with the bias corrections applied to both moments, in float
    // arithmetic like PyTorch's: plain float loops the JIT vectorizes (double made Adam a fifth of a step).
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
    float invSqrtCorrection2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, t)));
    float eps = (float) epsilon;
    float rate = (float) lr;
    for (int p = 0; p < params.length; p++) {
      float[] w = params[p];
      float[] g = grads[p];
      float[] m = state.first()[p];
      float[] v = state.second()[p];
      if (g.length != w.length) {
        throw new IllegalArgumentException("gradient " + p + " has " + g.length + " values, parameter " + w.length);
      }
      if (kind == Kind.ADAM) {
        for (int i = 0; i < w.length; i++) {
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) * invSqrtCorrection2 + eps);
        }
      } else {
        for (int i = 0; i < w.length; i++) {
          m[i] = b1 * m[i] + g[i];
          w[i] -= rate * m[i];
        }
      }
    }
  }
}
