package nnzip.codec.aq;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.codec.TensorCoder;
import nnzip.tensor.TensorSpec;

/**
 * One tensor coded by additive quantization: its row-major values, divided by the tensor's scale,
 * cut into d-dimensional subvectors of M codes each, decoded as the sum of M codewords
 * ({@link Codebooks#decode}, the one decode) times the scale. Parameters in the artifact:
 * {@value #CODEWORDS} (M·K·d), {@value #SHAPE} ({M, K, d}), both shared by the tensors of a codebook
 * group, and the tensor's own {@value #SCALE} ([1]) when it is not 1.
 */
public final class AqTensorCoder implements TensorCoder {
  private static final long serialVersionUID = 1L;
  /** Parameter name of the codewords. */
  public static final String CODEWORDS = "codewords";
  /** Parameter name of the codebook shape {M, K, d}. */
  public static final String SHAPE = "shape";
  /** Parameter name of the tensor's scale. */
  public static final String SCALE = "scale";

  private final AdditiveQuantizer quantizer;
  private final float scale;

  /**
   * @param scale positive, finite divisor applied to the tensor's values before coding
   * @throws IllegalArgumentException if the scale is not positive and finite
   */
  public AqTensorCoder(AdditiveQuantizer quantizer, float scale) {
    if (!(scale > 0) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("aq scale must be finite and > 0, got " + scale);
    }
    this.quantizer = quantizer;
    this.scale = scale;
  }

  /**
   * The coder of a stored tensor, from its parameters as read back from an artifact.
   *
   * @throws InvalidInputException if the codewords are missing, the shape disagrees with them or the
   *     tensor ({@link AqShape#check}), or a codeword or the scale is not finite
   */
  public static AqTensorCoder restore(TensorSpec spec, int bits, Map<String, float[]> params) {
    float[] words = params.get(CODEWORDS);
    if (words == null) {
      throw new InvalidInputException("aq tensor '" + spec.name() + "' lacks its codebooks");
    }
    AqShape shape = AqShape.check(params.get(SHAPE), words.length, bits, spec);
    float scale = params.containsKey(SCALE) ? params.get(SCALE)[0] : 1f;
    try {
      Codebooks books = Codebooks.of(shape.m(), shape.k(), shape.d(), words);
      return new AqTensorCoder(new AdditiveQuantizer(books, AqParams.of(shape.d(), shape.m(), bits)), scale);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("aq tensor '" + spec.name() + "': " + e.getMessage(), e);
    }
  }

  public AdditiveQuantizer quantizer() {
    return quantizer;
  }

  public float scale() {
    return scale;
  }

  @Override
  public int bits() {
    return quantizer.params().codebookBits();
  }

  @Override
  public int elementsPerGroup() {
    return quantizer.params().dim();
  }

  @Override
  public int codesPerGroup() {
    return quantizer.params().codebooks();
  }

  @Override
  public void encode(float[] values, int groups, long firstGroup, int[] codes) {
    int len = groups * elementsPerGroup();
    float[] x = new float[len];
    float inv = 1f / scale;
    for (int i = 0; i < len; i++) {
      x[i] = values[i] * inv;
    }
    quantizer.encode(x, groups, codes, null);
  }

  @Override
  public void decode(int[] codes, int groups, long firstGroup, float[] out) {
    quantizer.decode(codes, groups, out);
    int len = groups * elementsPerGroup();
    for (int i = 0; i < len; i++) {
      out[i] *= scale;
    }
  }

  @Override
  public Map<String, float[]> parameters() {
    Map<String, float[]> p = new LinkedHashMap<>();
    Codebooks b = quantizer.codebooks();
    p.put(CODEWORDS, b.values());
    p.put(SHAPE, new float[] {b.codebooks(), b.codewords(), b.dim()});
    if (scale != 1f) {
      p.put(SCALE, new float[] {scale});
    }
    return p;
  }

  @Override
  public Set<String> groupParameters() {
    return Set.of(CODEWORDS, SHAPE);
  }
}
