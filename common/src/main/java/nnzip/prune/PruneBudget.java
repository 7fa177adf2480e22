package nnzip.prune;

import java.util.List;

/**
 * What a pruned model may keep: a fraction of the weighted layers' parameters and a fraction of
 * their FLOPs, both in (0, 1] (1 = no limit on that measure); a choice of channels fits when both
 * hold, counted exactly after removal.
 *
 * @param parameters fraction of the parameters kept ({@code structured.keep}, the CLI's --keep)
 * @param flops fraction of the FLOPs kept ({@code structured.keep-flops})
 */
public record PruneBudget(double parameters, double flops) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks the ranges. */
  public PruneBudget {
    if (!(parameters > 0 && parameters <= 1)) {
      throw new IllegalArgumentException("keep must be in (0, 1], got " + parameters);
    }
    if (!(flops > 0 && flops <= 1)) {
      throw new IllegalArgumentException("keep-flops must be in (0, 1], got " + flops);
    }
  }

  /** A budget on parameters only. */
  public static PruneBudget ofParameters(double keep) {
    return new PruneBudget(keep, 1);
  }

  /** Whether anything is to be removed. */
  public boolean prunes() {
    return parameters < 1 || flops < 1;
  }

  /** Whether a layer table after removal keeps within this budget of its own totals before. */
  public boolean fits(List<LayerStats> layers) {
    long paramsBefore = 0;
    long paramsAfter = 0;
    long flopsBefore = 0;
    long flopsAfter = 0;
    for (LayerStats l : layers) {
      paramsBefore += l.paramsBefore();
      paramsAfter += l.paramsAfter();
      flopsBefore += l.flopsBefore();
      flopsAfter += l.flopsAfter();
    }
    return paramsAfter <= parameters * paramsBefore && flopsAfter <= flops * flopsBefore;
  }

  @Override
  public String toString() {
    return flops < 1 ? String.format("%.1f%% of the parameters and %.1f%% of the FLOPs", 100 * parameters, 100 * flops)
        : String.format("%.1f%% of the parameters", 100 * parameters);
  }
}
