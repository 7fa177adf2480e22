package nnzip.train;

import java.io.Serializable;
import java.util.Arrays;

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

  /** Adds dL/dparam for the given dL/dweight into {@code paramGrad}. */
  void addGradient(float[] weightGrad, float[] paramGrad);

  /**
   * A dp-coded weight: element i is {@code levels[index[i]]}, with index = channel · k + code, so
   * dL/dlevel[j] is the sum of dL/dw over the elements coded j in that channel.
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
    public void addGradient(float[] weightGrad, float[] levelGrad) {
      for (int i = 0; i < index.length; i++) {
        levelGrad[index[i]] += weightGrad[i];
      }
    }
  }

  /**
   * A uniform-coded weight: element i is {@code min[c] + code · step[c]} for its channel c, as the
   * uniform codec decodes it (the same float operations, so training starts from exactly the decoded
   * model); the parameter holds every channel's min, then every channel's step. dL/dmin[c] is the sum
   * of dL/dw over the channel, dL/dstep[c] that sum weighted by the codes.
   *
   * @param parameter name of the parameter (2 × channels values)
   * @param index per element (row-major), channel · k + code
   * @param k 2^bits, codes per channel
   * @param shape the weight's shape
   */
  record Uniform(String parameter, int[] index, int k, long[] shape) implements WeightBinding {
    private static final long serialVersionUID = 1L;

    @Override
    public float[] decode(float[] minAndStep) {
      int channels = minAndStep.length / 2;
      float[] w = new float[index.length];
      for (int i = 0; i < w.length; i++) {
        int c = index[i] / k;
        w[i] = minAndStep[c] + (index[i] - c * k) * minAndStep[channels + c];
      }
      return w;
    }

    @Override
    public void addGradient(float[] weightGrad, float[] paramGrad) {
      int channels = paramGrad.length / 2;
      for (int i = 0; i < index.length; i++) {
        int c = index[i] / k;
        paramGrad[c] += weightGrad[i];
        paramGrad[channels + c] += (index[i] - c * k) * weightGrad[i];
      }
    }
  }

  /**
   * An aq-coded weight: subvector s is {@code scale · Σ_m C[index[m][s]]} with C the [M·K, d]
   * codebooks and index[m][s] = m·K + code, so dL/dC_m[j] is scale times the sum of dL/dx over
   * the subvectors coded j in codebook m (the finetune rule of Sun et al.). The zero padding of
   * the last subvector is cut off.
   *
   * @param parameter name of the codebook parameter, shape [M·K, d]
   * @param index per codebook m, the flat codeword index of each subvector
   * @param dim subvector length d
   * @param scale the tensor's stored scale
   * @param shape the weight's shape
   */
  record Aq(String parameter, int[][] index, int dim, float scale, long[] shape) implements WeightBinding {
    private static final long serialVersionUID = 1L;

    /** Number of weight elements. */
    int elements() {
      return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    }

    @Override
    public float[] decode(float[] books) {
      int n = elements();
      int d = dim;
      float[] out = new float[n];
      float[] v = new float[d];
      for (int s = 0; s < index[0].length; s++) {
        Arrays.fill(v, 0f);
        for (int[] idx : index) {
          int base = idx[s] * d;
          for (int t = 0; t < d; t++) {
            v[t] += books[base + t];
          }
        }
        for (int t = 0; t < d && s * d + t < n; t++) {
          out[s * d + t] = v[t] * scale;
        }
      }
      return out;
    }

    @Override
    public void addGradient(float[] weightGrad, float[] bookGrad) {
      int n = elements();
      for (int s = 0; s < index[0].length; s++) {
        for (int[] idx : index) {
          int base = idx[s] * dim;
          for (int t = 0; t < dim && s * dim + t < n; t++) {
            bookGrad[base + t] += scale * weightGrad[s * dim + t];
          }
        }
      }
    }
  }
}
