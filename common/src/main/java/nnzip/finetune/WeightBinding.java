package nnzip.finetune;

import java.io.Serializable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a coded weight is computed from trainable parameters and frozen codes inside a SameDiff
 * graph. The parameter variable must already exist in the graph (shared parameters are made once
 * and used by every tensor that shares them).
 */
public sealed interface WeightBinding extends Serializable {
  /** Name of the trainable parameter this weight is computed from. */
  String parameter();

  /** The weight as an expression of the parameter; {@code name} is the result's variable name. */
  SDVariable build(SameDiff sd, String name);

  /**
   * A dp-coded weight: element i is {@code levels[index[i]]}, with index = channel · k + code, so
   * dL/dlevel[j] is the sum of dL/dw over the elements coded j in that channel.
   *
   * @param parameter name of the flat levels variable (channels × k values)
   * @param index per element (row-major), the flat level index; length = product of shape
   * @param shape the weight's shape
   */
  record Dp(String parameter, int[] index, long[] shape) implements WeightBinding {
    private static final long serialVersionUID = 1L;

    @Override
    public SDVariable build(SameDiff sd, String name) {
      SDVariable idx = sd.constant(name + "/index", Nd4j.createFromArray(index));
      SDVariable flat = sd.gather(sd.getVariable(parameter), idx, 0);
      return sd.reshape(name, flat, shape);
    }
  }

  /**
   * An aq-coded weight: subvector s is {@code scale · Σ_m C[index[m][s]]} with C the [M·K, d]
   * codebook variable and index[m][s] = m·K + code, so dL/dC_m[j] is the sum of dL/dx over the
   * subvectors coded j in codebook m (the finetune rule of Sun et al.). The zero padding of the
   * last subvector is cut off.
   *
   * @param parameter name of the codebook variable, shape [M·K, d]
   * @param index per codebook m, the flat codeword index of each subvector; each of length subvectors
   * @param dim subvector length d
   * @param scale the tensor's stored scale
   * @param shape the weight's shape
   */
  record Aq(String parameter, int[][] index, int dim, float scale, long[] shape) implements WeightBinding {
    private static final long serialVersionUID = 1L;

    @Override
    public SDVariable build(SameDiff sd, String name) {
      SDVariable books = sd.getVariable(parameter);
      SDVariable sum = null;
      for (int m = 0; m < index.length; m++) {
        SDVariable idx = sd.constant(name + "/index" + m, Nd4j.createFromArray(index[m]));
        SDVariable words = sd.gather(books, idx, 0);
        sum = sum == null ? words : sum.add(words);
      }
      long elements = 1;
      for (long s : shape) {
        elements *= s;
      }
      SDVariable flat = sd.reshape(sum, (long) index[0].length * dim);
      if (elements != (long) index[0].length * dim) {
        flat = sd.slice(flat, new int[] {0}, (int) elements);
      }
      SDVariable scaled = flat.mul(sd.constant(name + "/scale", Nd4j.scalar(DataType.FLOAT, scale)));
      return sd.reshape(name, scaled, shape);
    }
  }
}
