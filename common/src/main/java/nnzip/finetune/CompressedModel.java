package nnzip.finetune;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnzip.InvalidInputException;
import nnzip.artifact.Artifact;
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
 * to its trainable levels, per-group minimum and step, or codebooks (followed by the codes of every
 * tensor sharing them, which only {@link AqReencoder} changes). Uniform tensors of global scope and
 * tensors of other codecs are frozen at their decoded values;
 * passed-through FLOAT tensors (biases, norms) train as they are, and so do the uniform-coded tensors
 * that the recipe's passthrough rules keep ({@link #recoded}).
 *
 * @param onnx the restored model bytes
 * @param plan how each weight enters the training graph
 * @param recoded uniform tensors that the recipe's passthrough rules keep (biases, norm scales, small
 *     tensors), coded per tensor only because that is smaller than their floats: they train as floats
 *     from their decoded values and {@link FinetunedArtifact} codes them again. Their min and step
 *     alone could not move a bias's values one by one, as dp's levels (one per value, nearly) or a kept
 *     float could; the grid they are coded on again adds at most half a step (range / 510 at 8 bits).
 */
public record CompressedModel(byte[] onnx, WeightPlan plan, Set<String> recoded) implements java.io.Serializable {
  private static final long serialVersionUID = 2L;

  public CompressedModel {
    recoded = Set.copyOf(recoded);
  }

  /** A model with no tensor coded again after finetuning. */
  public CompressedModel(byte[] onnx, WeightPlan plan) {
    this(onnx, plan, Set.of());
  }
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
    return of(a, frozen, null, spec -> false);
  }

  /**
   * As above; with {@code trained} (the weights the artifact was coded from, by tensor key) each aq
   * parameter also holds full-precision copies of its tensors' weights (divided by their scale) after the codes, trained
   * straight through the quantizer ({@link WeightBinding.Aq#trainedAt}), for re-encoding toward them.
   *
   * {@code keptByRecipe} tells the tensors the recipe's passthrough rules keep ({@code
   * CompressionSettings.keepsAsIs}): those coded uniform are {@link #recoded}.
   *
   * @throws InvalidInputException as above, or if an aq tensor's weights are missing from {@code trained}
   */
  public static CompressedModel of(Artifact a, Set<String> frozen, Map<String, float[]> trained,
      java.util.function.Predicate<nnzip.tensor.TensorSpec> keptByRecipe) throws IOException {
    byte[] onnx = ArtifactRestorer.toOnnxBytes(a);
    Map<String, WeightBinding> coded = new LinkedHashMap<>();
    Map<String, WeightPlan.Parameter> params = new LinkedHashMap<>();
    Set<String> fixed = new TreeSet<>(frozen);
    Map<String, List<int[]>> aqCodes = new LinkedHashMap<>();
    Set<String> recoded = new TreeSet<>();
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
        case AQ -> coded.put(name, aq(a, t, shared, params, aqCodes));
        case UNIFORM -> {
          if (!shared && !frozen.contains(name) && keptByRecipe.test(t.spec())) {
            recoded.add(name); // neither coded nor fixed: the graph trains the decoded values
          } else if (shared) {
            fixed.add(name);
          } else {
            coded.put(name, uniform(a, t, Artifact.layoutOf(t), params));
          }
        }
        default -> fixed.add(name);
      }
    }
    // aq parameters: the codebooks, then the codes of each tensor that shares them (then its weights).
    for (Map.Entry<String, List<int[]>> e : aqCodes.entrySet()) {
      String param = e.getKey();
      float[] books = params.get(param).values();
      List<String> tensors = new ArrayList<>();
      coded.forEach((name, b) -> {
        if (b instanceof WeightBinding.Aq aq && aq.parameter().equals(param)) {
          tensors.add(name);
        }
      });
      long total = books.length;
      for (int[] c : e.getValue()) {
        total += c.length;
      }
      long weightsAt = total;
      if (trained != null) {
        for (String name : tensors) {
          float[] w = trained.get(name);
          if (w == null || w.length != t(a, name).spec().numElements()) {
            throw new InvalidInputException(a.file() + ": aq tensor '" + name + "' has no weights of its size to train");
          }
          total += w.length;
        }
      }
      if (total > Integer.MAX_VALUE - 16) {
        throw new InvalidInputException(a.file() + ": aq codes of '" + param + "' are too many to finetune in memory");
      }
      float[] v = java.util.Arrays.copyOf(books, (int) total);
      int at = books.length;
      for (int[] c : e.getValue()) {
        for (int code : c) {
          v[at++] = code;
        }
      }
      if (trained != null) {
        for (String name : tensors) {
          WeightBinding.Aq aq = (WeightBinding.Aq) coded.get(name);
          float[] w = trained.get(name);
          float inv = 1f / aq.scale(); // as the aq compressor scales
          for (int i = 0; i < w.length; i++) {
            v[at + i] = w[i] * inv;
          }
          coded.put(name, new WeightBinding.Aq(aq.parameter(), aq.m(), aq.k(), aq.dim(), aq.codesAt(), aq.scale(),
              aq.shape(), at));
          at += w.length;
        }
      }
      params.put(param, new WeightPlan.Parameter(new long[] {v.length}, v));
    }
    return new CompressedModel(onnx, new WeightPlan(coded, params, fixed), recoded);
  }

  private static TensorRecord t(Artifact a, String name) {
    return a.manifest().tensors().stream().filter(x -> x.spec().name().equals(name)).findFirst().orElseThrow();
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
    if (t.spec().numElements() > Integer.MAX_VALUE - 16) {
      throw new InvalidInputException(a.file() + ": uniform tensor '" + name + "' is too large to finetune in memory");
    }
    float[] values = new float[2 * min.length];
    System.arraycopy(min, 0, values, 0, min.length);
    System.arraycopy(step, 0, values, min.length, step.length);
    String param = UNIFORM + ":" + name;
    params.put(param, new WeightPlan.Parameter(new long[] {values.length}, values));
    int[] codes = ArtifactCodes.read(a, t, t.spec().numElements());
    return new WeightBinding.Uniform(param, codes, t.bits(), layout, t.spec().shape());
  }

  private static WeightBinding aq(Artifact a, TensorRecord t, boolean shared, Map<String, WeightPlan.Parameter> params,
      Map<String, List<int[]>> aqCodes) throws IOException {
    String name = t.spec().name();
    // The codec's own restore checks the stored shape against the codewords and the tensor.
    nnzip.codec.aq.AqTensorCoder coder = (nnzip.codec.aq.AqTensorCoder) a.coder(t);
    nnzip.codec.aq.Codebooks books = coder.quantizer().codebooks();
    float[] words = books.values();
    int m = books.codebooks();
    int k = books.codewords();
    int d = books.dim();
    float scale = coder.scale();
    String param = shared ? CODEBOOKS : CODEBOOKS + ":" + name;
    params.putIfAbsent(param, new WeightPlan.Parameter(new long[] {words.length}, words));
    int[] codes = ArtifactCodes.read(a, t, coder.codeCount(t.spec().numElements()));
    List<int[]> group = aqCodes.computeIfAbsent(param, x -> new ArrayList<>());
    long at = words.length;
    for (int[] c : group) {
      at += c.length;
    }
    if (at > Integer.MAX_VALUE - 16) {
      throw new InvalidInputException(a.file() + ": aq codes of '" + param + "' are too many to finetune in memory");
    }
    group.add(codes);
    return new WeightBinding.Aq(param, m, k, d, (int) at, scale, t.spec().shape());
  }
}
