package nnzip.finetune;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnzip.InvalidInputException;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactBounds;
import nnzip.artifact.ArtifactCodes;
import nnzip.artifact.ArtifactRestorer;
import nnzip.artifact.Manifest;
import nnzip.artifact.TensorRecord;
import nnzip.codec.TensorLayout;
import nnzip.codec.dp.DpCodec;
import nnzip.tensor.DType;
import nnzip.train.WeightBinding;
import nnzip.train.WeightPlan;

/**
 * An artifact made ready for finetuning: the runnable ONNX model restored from it (the starting
 * point of every weight) and the {@link WeightPlan} that ties each dp-, uniform- or aq-coded tensor
 * to its trainable levels, per-channel minimum and step, or codebooks with its codes frozen.
 * Uniform tensors of global scope (or with more than 2^31 channel-code pairs) and tensors of other
 * codecs are frozen at their decoded values;
 * passed-through FLOAT tensors (biases, norms) train as they are.
 *
 * @param onnx the restored model bytes
 * @param plan how each weight enters the training graph
 */
public record CompressedModel(byte[] onnx, WeightPlan plan) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** Parameter-name prefix of dp levels (plus the tensor name, unless shared). */
  public static final String LEVELS = "nnzip.levels";
  /** Parameter-name prefix of a uniform tensor's per-channel minimum and step (plus the tensor name). */
  public static final String UNIFORM = "nnzip.uniform";
  /** Parameter-name prefix of aq codebooks (plus the tensor name, unless shared). */
  public static final String CODEBOOKS = "nnzip.codebooks";

  /**
   * Reads an artifact's codes and parameters.
   *
   * @param frozen weight keys that must not train (BatchNorm running statistics)
   * @throws InvalidInputException if the artifact has no ONNX graph or a coded tensor is inconsistent
   */
  public static CompressedModel of(Artifact a, Set<String> frozen) throws IOException {
    byte[] onnx = ArtifactRestorer.toOnnxBytes(a);
    Map<String, WeightBinding> coded = new LinkedHashMap<>();
    Map<String, WeightPlan.Parameter> params = new LinkedHashMap<>();
    Set<String> fixed = new TreeSet<>(frozen);
    for (TensorRecord t : a.manifest().tensors()) {
      String name = t.spec().name();
      if (t.isPassthrough()) {
        continue;
      }
      if (t.spec().dtype() != DType.F32) {
        fixed.add(name);
        continue;
      }
      boolean shared = Manifest.GLOBAL_SCOPE.equals(t.scope());
      switch (t.codec()) {
        case DP -> coded.put(name, dp(a, t, shared, params));
        case AQ -> coded.put(name, aq(a, t, shared, params));
        case UNIFORM -> {
          TensorLayout layout = Artifact.layoutOf(t);
          // The binding indexes channel · 2^bits + code in an int.
          if (shared || (long) layout.channels() << t.bits() > Integer.MAX_VALUE) {
            fixed.add(name);
          } else {
            coded.put(name, uniform(a, t, layout, params));
          }
        }
        default -> fixed.add(name);
      }
    }
    return new CompressedModel(onnx, new WeightPlan(coded, params, fixed));
  }

  private static WeightBinding dp(Artifact a, TensorRecord t, boolean shared, Map<String, WeightPlan.Parameter> params)
      throws IOException {
    String name = t.spec().name();
    int k = 1 << t.bits();
    long n = t.spec().numElements();
    float[] levels = a.parameters(t).get(DpCodec.LEVELS);
    TensorLayout layout = Artifact.layoutOf(t);
    if (levels == null || levels.length != (long) layout.channels() * k) {
      throw new InvalidInputException(a.file() + ": dp tensor '" + name + "' lacks its levels");
    }
    String param = shared ? LEVELS : LEVELS + ":" + name;
    params.putIfAbsent(param, new WeightPlan.Parameter(new long[] {levels.length}, levels));
    int[] codes = ArtifactCodes.read(a, t, n);
    int[] index = new int[codes.length];
    for (int i = 0; i < index.length; i++) {
      index[i] = (layout.channels() == 1 ? 0 : layout.channelOf(i) * k) + codes[i];
    }
    return new WeightBinding.Dp(param, index, t.spec().shape());
  }

  private static WeightBinding uniform(Artifact a, TensorRecord t, TensorLayout layout,
      Map<String, WeightPlan.Parameter> params) throws IOException {
    String name = t.spec().name();
    Map<String, float[]> p = a.parameters(t);
    float[] min = p.get(nnzip.codec.uniform.UniformCodec.MIN);
    float[] step = p.get(nnzip.codec.uniform.UniformCodec.STEP);
    if (min == null || step == null || min.length != layout.channels() || step.length != layout.channels()) {
      throw new InvalidInputException(a.file() + ": uniform tensor '" + name + "' lacks its per-channel min and step");
    }
    float[] values = new float[2 * min.length];
    System.arraycopy(min, 0, values, 0, min.length);
    System.arraycopy(step, 0, values, min.length, step.length);
    String param = UNIFORM + ":" + name;
    params.put(param, new WeightPlan.Parameter(new long[] {values.length}, values));
    int k = 1 << t.bits();
    int[] index = ArtifactCodes.read(a, t, t.spec().numElements());
    for (int i = 0; i < index.length; i++) {
      index[i] += layout.channelOf(i) * k;
    }
    return new WeightBinding.Uniform(param, index, k, t.spec().shape());
  }

  private static WeightBinding aq(Artifact a, TensorRecord t, boolean shared, Map<String, WeightPlan.Parameter> params)
      throws IOException {
    String name = t.spec().name();
    Map<String, float[]> p = a.parameters(t);
    float[] shape = p.get("shape");
    float[] words = p.get("codewords");
    if (words == null) {
      throw new InvalidInputException(a.file() + ": aq tensor '" + name + "' lacks its codebooks");
    }
    ArtifactBounds.AqShape checked;
    try {
      checked = ArtifactBounds.aqShape(shape, words.length, t.bits(), t.spec());
    } catch (InvalidInputException e) {
      throw new InvalidInputException(a.file() + ": " + e.getMessage(), e);
    }
    int m = checked.m();
    int k = checked.k();
    int d = checked.d();
    float scale = p.containsKey("scale") ? p.get("scale")[0] : 1f;
    String param = shared ? CODEBOOKS : CODEBOOKS + ":" + name;
    params.putIfAbsent(param, new WeightPlan.Parameter(new long[] {(long) m * k, d}, words));
    long subs = checked.subvectors();
    int[] codes = ArtifactCodes.read(a, t, checked.codes());
    int[][] index = new int[m][(int) subs];
    for (int s = 0; s < subs; s++) {
      for (int c = 0; c < m; c++) {
        index[c][s] = c * k + codes[s * m + c];
      }
    }
    return new WeightBinding.Aq(param, index, d, scale, t.spec().shape());
  }
}
