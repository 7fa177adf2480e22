package nnzip.finetune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import nnzip.codec.aq.BeamEncoder;
import nnzip.codec.aq.Codebooks;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingSettings.AqReencode.Target;
import nnzip.train.WeightBinding;

/**
 * Lets aq codes change during finetuning, AQLM's alternation (Egiazarian et al., 2024): every
 * {@code every} steps the codes of each aq tensor are re-chosen by beam search against the current
 * (trained) codebooks and a target divided by the tensor's scale ({@link Target}: the weights the
 * model was compressed from, those moved with their decode, or full-precision weights trained
 * straight through the quantizer); gradient steps then train the codebooks for the new codes. The codes live in the
 * codebook parameter ({@link WeightBinding.Aq}), so checkpoints hold them and the re-encode is a
 * function of (step, parameters) only: a resumed run re-encodes exactly where the first run did.
 */
public final class AqReencoder implements TrainingLoop.Regularizer {
  /**
   * What one re-encode did, summed over the tensors.
   *
   * @param step the global step (0-based, over all epochs) before which the codes changed
   * @param errorBefore Σ ‖x − decode‖² over the scaled subvectors with the codes before
   * @param errorAfter the same with the new codes
   * @param changed number of subvectors whose code tuple changed
   * @param subvectors number of subvectors
   */
  public record Stats(long step, double errorBefore, double errorAfter, long changed, long subvectors) {}

  private final List<WeightBinding.Aq> bindings;
  private final Target target;
  private final Map<String, float[]> start = new LinkedHashMap<>();
  private final Map<String, float[]> targets;
  private final int every;
  private final int stepsPerEpoch;
  private final int beam;
  private final Consumer<Stats> report;

  /**
   * @param plan the finetune plan; its aq bindings are re-encoded
   * @param original the weights the artifact was compressed from, by tensor key (each aq tensor's
   *     values, row-major)
   * @param every steps between re-encodes, ≥ 1
   * @param stepsPerEpoch steps of one epoch, ≥ 1
   * @param beam beam width of the encoder, ≥ 1
   * @param report receives each re-encode's statistics
   * @throws IllegalArgumentException if a count is &lt; 1 or an aq tensor's original is missing or
   *     of another length
   */
  public AqReencoder(CompressedModel plan, Map<String, float[]> original, int every, int stepsPerEpoch, int beam,
      Consumer<Stats> report) {
    this(plan, original, Target.ORIGINAL, every, stepsPerEpoch, beam, report);
  }

  /** As above, with the given target. */
  public AqReencoder(CompressedModel plan, Map<String, float[]> original, Target target, int every, int stepsPerEpoch,
      int beam, Consumer<Stats> report) {
    this.target = Objects.requireNonNull(target, "target");
    if (target == Target.TRAINED && plan.plan().coded().values().stream()
        .anyMatch(b -> b instanceof WeightBinding.Aq aq && aq.trainedAt() < 0)) {
      throw new IllegalArgumentException("re-encoding toward trained weights needs them in the parameters"
          + " (CompressedModel.of with trained aq weights)");
    }
    if (every < 1 || stepsPerEpoch < 1 || beam < 1) {
      throw new IllegalArgumentException("re-encode every " + every + " steps of " + stepsPerEpoch + " per epoch,"
          + " beam " + beam + ": each must be ≥ 1");
    }
    this.bindings = new ArrayList<>();
    this.targets = new LinkedHashMap<>();
    plan.plan().coded().forEach((name, b) -> {
      if (b instanceof WeightBinding.Aq aq) {
        float[] w = original.get(name);
        if (w == null || w.length != aq.elements()) {
          throw new IllegalArgumentException("aq tensor '" + name + "': the original has "
              + (w == null ? "no values" : w.length + " values") + ", the coded tensor " + aq.elements());
        }
        bindings.add(aq);
        targets.put(name, scaled(w, aq));
        float[] p0 = plan.plan().parameters().get(aq.parameter()).values();
        float[] d0 = new float[aq.subvectors() * aq.dim()];
        aq.codebooks(p0).decode(aq.codes(p0), aq.subvectors(), d0);
        start.put(name, d0);
      }
    });
    this.every = every;
    this.stepsPerEpoch = stepsPerEpoch;
    this.beam = beam;
    this.report = Objects.requireNonNull(report, "report");
  }

  /** Whether the plan has any aq tensor to re-encode. */
  public boolean isEmpty() {
    return bindings.isEmpty();
  }

  @Override
  public void startStep(int epoch, int step, ParameterValues params) {
    long global = (long) (epoch - 1) * stepsPerEpoch + step;
    if (global > 0 && global % every == 0) {
      report.accept(reencode(params, global));
    }
  }

  @Override
  public void addGradient(ParameterValues params, float[][] grads) {}

  /**
   * Re-encodes every aq tensor's codes in place.
   *
   * @param step reported as the step of the re-encode
   */
  public Stats reencode(ParameterValues params, long step) {
    Map<String, BeamEncoder> encoders = new LinkedHashMap<>();
    double before = 0;
    double after = 0;
    long changed = 0;
    long subvectors = 0;
    List<String> names = new ArrayList<>(targets.keySet());
    for (int i = 0; i < bindings.size(); i++) {
      WeightBinding.Aq aq = bindings.get(i);
      float[] param = params.get(aq.parameter());
      BeamEncoder encoder = encoders.computeIfAbsent(aq.parameter(),
          p -> new BeamEncoder(aq.codebooks(param), beam));
      Codebooks books = encoder.codebooks();
      float[] x = targets.get(names.get(i));
      int n = aq.subvectors();
      if (target == Target.TRAINED) {
        x = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(param, aq.trainedAt(), aq.trainedAt() + aq.elements()),
            n * aq.dim()); // already divided by the scale; zero-padded
      } else if (target == Target.SHIFTED) {
        float[] now = new float[n * aq.dim()];
        books.decode(aq.codes(param), n, now);
        float[] d0 = start.get(names.get(i));
        x = x.clone();
        for (int j = 0; j < x.length; j++) {
          x[j] += now[j] - d0[j];
        }
      }
      int m = aq.m();
      int[] old = aq.codes(param);
      before += error(books, x, old, n, aq.dim(), m);
      int[] codes = new int[n * m];
      after += encoder.encode(x, n, codes, null);
      for (int s = 0; s < n; s++) {
        for (int c = 0; c < m; c++) {
          if (codes[s * m + c] != old[s * m + c]) {
            changed++;
            break;
          }
        }
      }
      for (int j = 0; j < codes.length; j++) {
        param[aq.codesAt() + j] = codes[j];
      }
      subvectors += n;
    }
    return new Stats(step, before, after, changed, subvectors);
  }

  /** The tensor's values times 1/scale (as the aq compressor scales them), zero-padded to whole subvectors. */
  static float[] scaled(float[] w, WeightBinding.Aq aq) {
    float inv = 1f / aq.scale();
    float[] x = new float[aq.subvectors() * aq.dim()];
    for (int i = 0; i < w.length; i++) {
      x[i] = w[i] * inv;
    }
    return x;
  }

  private static double error(Codebooks books, float[] x, int[] codes, int n, int d, int m) {
    float[] v = new float[n * d];
    books.decode(codes, n, v);
    double e = 0;
    for (int i = 0; i < v.length; i++) {
      double r = (double) x[i] - v[i];
      e += r * r;
    }
    return e;
  }
}
