package nnzip.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.codec.aq.Codebooks;
import nnzip.codec.uniform.UniformCodec;

/**
 * How a coded weight follows from a small trainable parameter with its codes frozen, and how the
 * loss gradient flows back. The graph holds the weight as a plain variable; decode and the chain
 * rule run here in Java. (SameDiff 1.0.0-M2.1's gather gradient keeps one contribution per
 * repeated index instead of summing them — measured by {@code WeightBindingTest} — so the
 * scatter-add of the chain rule cannot be left to the graph.)
 */
public sealed interface WeightBinding extends Serializable {
  /** Name of the trainable parameter this weight is computed from. */
  String parameter();

  /** The weight's values (row-major, in its shape) for the given parameter values. */
  float[] decode(float[] param);

  /**
   * Adds dL/dparam for the given dL/dweight into {@code paramGrad}.
   *
   * @param param the parameter's values the weight was decoded from (aq reads its codes there)
   */
  void addGradient(float[] param, float[] weightGrad, float[] paramGrad);

  /**
   * {@link #decode}, with what {@link #addGradient(float[], Decoded, float[], float[])} reuses: a
   * training graph decodes its parameters once per step and then takes one gradient per chunk of
   * the step, and a binding whose chain rule needs its decode's work again (a line point's mask: a
   * ranking of magnitudes after quantizing the stored difference, as long as the decode itself)
   * should not redo it per chunk. By default nothing is kept.
   *
   * @param previous this binding's decode of the parameters the graph decoded last, or null: a
   *     binding may reuse its {@link Decoded#reusable} where this {@code param} leaves it unchanged
   *     (the points of a sandwich step share their endpoints)
   */
  default Decoded decodeForGradient(float[] param, Decoded previous) {
    return new Decoded(decode(param), null, null);
  }

  /**
   * {@link #addGradient(float[], float[], float[])} for a weight {@link #decodeForGradient} decoded
   * from the same {@code param}: the same sums.
   */
  default void addGradient(float[] param, Decoded decoded, float[] weightGrad, float[] paramGrad) {
    addGradient(param, weightGrad, paramGrad);
  }

  /**
   * A decoded weight, the elements its chain rule passes gradient to, and what a later decode may reuse.
   *
   * @param weight as {@link #decode} returns it
   * @param kept per element, whether the decode kept it (pruned elements pass no gradient); null
   *     when every element passes, or the binding keeps nothing
   * @param reusable an intermediate of the decode that depends on part of the parameter only (a line
   *     weight's w0 as stored, a function of w0 and w1 but not of α), with that part, or null
   */
  record Decoded(float[] weight, boolean[] kept, Reusable reusable) {
    /** This decode without its weight (what the chain rule and a later decode read), so it can be kept. */
    public Decoded withoutWeight() {
      return weight == null ? this : new Decoded(null, kept, reusable);
    }
  }

  /**
   * An intermediate of a decode and the leading part of the parameter it was computed from: a later
   * decode of a parameter that starts with the same values (compared bit for bit) may take it as it is.
   *
   * @param from a copy of the parameter's first {@code from.length} values
   */
  record Reusable(float[] from, float[] value) {
    /** Whether {@code param} starts with {@link #from}, bit for bit. */
    public boolean fits(float[] param) {
      return param.length >= from.length && Arrays.equals(param, 0, from.length, from, 0, from.length);
    }
  }

  /** A binding defined outside this package (Dirichlet channel gates: {@code nnzip.prune.dirichlet.GatedWeight}). */
  non-sealed interface Extension extends WeightBinding {}

  /**
   * A dp-coded weight: element i is {@code levels[index[i]]}, with index = channel · k + code, so
   * dL/dlevel[j] is the sum of dL/dw over the elements coded j in that channel. This is the dp
   * codec's decode (a table look-up) written out: the codec's own quantizer insists on ascending
   * levels, which training may cross ({@code FinetunedArtifact} sorts them back and renumbers the
   * codes); {@code FinetuneBindingsTest} holds the two to the same bits.
   *
   * @param parameter name of the flat levels parameter (channels × k values)
   * @param index per element (row-major), the flat level index
   * @param shape the weight's shape
   */
  record Dp(String parameter, int[] index, long[] shape) implements WeightBinding {
    private static final long serialVersionUID = 1L;

    @Override
    public float[] decode(float[] levels) {
      float[] w = new float[index.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = levels[index[i]];
      }
      return w;
    }

    @Override
    public void addGradient(float[] levels, float[] weightGrad, float[] levelGrad) {
      for (int i = 0; i < index.length; i++) {
        levelGrad[index[i]] += weightGrad[i];
      }
    }
  }

  /**
   * A uniform-coded weight: element i is {@code min[c] + code[i] · step[c]} for its group c,
   * computed by the uniform codec's own decode (so training starts from exactly the restored
   * model); the parameter holds every group's min, then every group's step. dL/dmin[c] is the sum
   * of dL/dw over the group, dL/dstep[c] that sum weighted by the codes.
   *
   * @param parameter name of the parameter (2 × groups values)
   * @param codes per element (row-major), its code in 0..2^bits − 1
   * @param bits the codec's bits per code
   * @param layout the groups the tensor was coded with
   * @param shape the weight's shape
   */
  record Uniform(String parameter, int[] codes, int bits, TensorLayout layout, long[] shape)
      implements WeightBinding {
    private static final long serialVersionUID = 1L;

    @Override
    public float[] decode(float[] minAndStep) {
      int groups = layout.channels();
      ScalarCodec.Quantizer q = new UniformCodec(bits).restore(layout, Map.of(
          UniformCodec.MIN, Arrays.copyOfRange(minAndStep, 0, groups),
          UniformCodec.STEP, Arrays.copyOfRange(minAndStep, groups, 2 * groups)));
      float[] w = new float[codes.length];
      q.decode(codes, codes.length, 0, w);
      return w;
    }

    @Override
    public void addGradient(float[] minAndStep, float[] weightGrad, float[] paramGrad) {
      int groups = layout.channels();
      for (int i = 0; i < codes.length; i++) {
        int c = layout.channelOf(i);
        paramGrad[c] += weightGrad[i];
        paramGrad[groups + c] += codes[i] * weightGrad[i];
      }
    }
  }

  /**
   * An aq-coded weight: subvector s is {@code scale · Σ_m C_m[code(s, m)]}, decoded by
   * {@link Codebooks#decode} (the one decode, as the restorer runs it), the zero padding of the
   * last subvector cut off. The parameter holds the M·K·d codebook values, then the codes of every
   * tensor sharing them as floats (exact below 2^24), then optionally their full-precision weights:
   * codes do not train (their gradient is zero, so
   * Adam leaves them as they are) but travel with the codebooks, so a re-encode between steps
   * ({@code nnzip.finetune.AqReencoder}) reaches the executors and the checkpoints. dL/dC_m[j] is
   * scale times the sum of dL/dx over the subvectors coded j in codebook m (the finetune rule of
   * Sun et al.).
   *
   * @param parameter name of the parameter: M·K·d codebook values, then codes
   * @param m codebooks M
   * @param k codewords per codebook K
   * @param dim subvector length d
   * @param codesAt where this tensor's codes start in the parameter: subvector s, codebook c at
   *     codesAt + s·M + c
   * @param scale the tensor's stored scale
   * @param shape the weight's shape
   * @param trainedAt where this tensor's full-precision weights, divided by the scale (the units of
   *     the codebooks, so the optimizer moves both alike), start in the parameter (after every code),
   *     or −1 for none: they do not enter the decode, but get scale · dL/dw as their gradient
   *     (straight through the quantizer), a target for re-encoding
   */
  record Aq(String parameter, int m, int k, int dim, int codesAt, float scale, long[] shape, int trainedAt)
      implements WeightBinding {
    private static final long serialVersionUID = 1L;

    /** A binding without trained full-precision weights. */
    public Aq(String parameter, int m, int k, int dim, int codesAt, float scale, long[] shape) {
      this(parameter, m, k, dim, codesAt, scale, shape, -1);
    }

    /** Number of weight elements. */
    public int elements() {
      return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    }

    /** Number of d-dimensional subvectors, the last one zero-padded. */
    public int subvectors() {
      return (elements() + dim - 1) / dim;
    }

    /** Number of codebook values M·K·d at the start of the parameter. */
    public int codebookValues() {
      return m * k * dim;
    }

    /** The codebooks held in {@code param}. */
    public Codebooks codebooks(float[] param) {
      return Codebooks.of(m, k, dim, Arrays.copyOf(param, codebookValues()));
    }

    /** This tensor's codes held in {@code param}: subvector s, codebook c at s·M + c. */
    public int[] codes(float[] param) {
      int[] codes = new int[subvectors() * m];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = (int) param[codesAt + i];
      }
      return codes;
    }

    @Override
    public float[] decode(float[] param) {
      int n = elements();
      int subs = subvectors();
      float[] v = new float[subs * dim];
      codebooks(param).decode(codes(param), subs, v);
      float[] out = Arrays.copyOf(v, n);
      for (int i = 0; i < n; i++) {
        out[i] *= scale;
      }
      return out;
    }

    @Override
    public void addGradient(float[] param, float[] weightGrad, float[] paramGrad) {
      int n = elements();
      int subs = subvectors();
      if (trainedAt >= 0) {
        for (int i = 0; i < n; i++) {
          paramGrad[trainedAt + i] += scale * weightGrad[i];
        }
      }
      for (int s = 0; s < subs; s++) {
        for (int c = 0; c < m; c++) {
          int base = (c * k + (int) param[codesAt + s * m + c]) * dim;
          for (int t = 0; t < dim && s * dim + t < n; t++) {
            paramGrad[base + t] += scale * weightGrad[s * dim + t];
          }
        }
      }
    }
  }
}
