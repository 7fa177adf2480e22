package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.aq.AdditiveQuantizer;
import nnzip.codec.aq.AqParams;
import nnzip.codec.aq.Codebooks;
import nnzip.compress.CompressionSettings;
import nnzip.compress.TestSettings;
import nnzip.compress.Shard;
import nnzip.compress.ShardPlanner;
import nnzip.compress.ShardResult;
import nnzip.compress.ShardStatistics;
import nnzip.compress.TensorStatistics;
import nnzip.compress.TensorTask;
import nnzip.compress.aq.AqSettings;
import nnzip.finetune.AqReencoder;
import nnzip.finetune.CompressedModel;
import nnzip.io.ModelSource;
import nnzip.stats.Moments;
import nnzip.train.Mlp;
import nnzip.train.MlpOnnxExporter;
import nnzip.train.ParameterValues;
import nnzip.train.WeightBinding;
import nnzip.train.WeightPlan;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each codec's finetune binding, built by {@link CompressedModel} from an artifact the real writer
 * made, decodes exactly as the restorer does (bit for bit) and has the gradient of central finite
 * differences of a scalar loss; aq's re-encode reproduces the compressor's own codes.
 */
class FinetuneBindingsTest {
  @TempDir static java.nio.file.Path dir;
  static FileSystem fs;
  static Path model;
  static Mlp mlp;

  @BeforeAll
  static void writeModel() throws IOException {
    fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    mlp = Mlp.heUniform(new int[] {32, 64, 10}, new SplittableRandom(3));
    model = new Path(dir.resolve("mlp.onnx").toUri());
    MlpOnnxExporter.write(mlp, model, new Configuration());
  }

  private static CompressionSettings scalar(CodecKind codec, int bits, Scope scope, int passthroughDpBits) {
    return TestSettings.of(codec, bits, scope).passthroughDpBits(passthroughDpBits).build();
  }

  private static Artifact compress(String name, CompressionSettings s) throws IOException {
    return Artifact.open(fs, LocalCompressor.compress(fs, model, new Path(dir.resolve(name).toUri()), s, null)
        .artifact());
  }

  @Test
  void uniformPerChannelBindingDecodesAsTheRestorer() throws IOException {
    checkEveryBinding(compress("uc", scalar(CodecKind.UNIFORM, 4, Scope.CHANNEL, 0)), WeightBinding.Uniform.class);
  }

  @Test
  void uniformPerTensorBindingDecodesAsTheRestorer() throws IOException {
    checkEveryBinding(compress("ut", scalar(CodecKind.UNIFORM, 3, Scope.TENSOR, 0)), WeightBinding.Uniform.class);
  }

  @Test
  void dpBindingDecodesAsTheRestorer() throws IOException {
    checkEveryBinding(compress("dp", scalar(CodecKind.DP, 3, Scope.TENSOR, 0)), WeightBinding.Dp.class);
  }

  @Test
  void passthroughDpBindingOfTheBiasesDecodesAsTheRestorer() throws IOException {
    Artifact a = compress("pdp", scalar(CodecKind.UNIFORM, 8, Scope.CHANNEL, 2));
    long dpBiases = a.manifest().tensors().stream()
        .filter(t -> t.codec() == CodecKind.DP && t.spec().shape().length == 1).count();
    assertEquals(2, dpBiases, "both biases are dp-coded by passthrough.dp-bits");
    checkEveryBinding(a, WeightBinding.Dp.class, WeightBinding.Uniform.class);
  }

  /**
   * A bias the passthrough rules keep and passthrough.uniform-bits codes is neither a binding nor
   * frozen: it trains as floats, and the written artifact holds it coded again from the trained
   * values (each within half of a step computed here from their own range, F16 slack allowed), while
   * a tensor whose binding did not move decodes as before, bit for bit.
   */
  @Test
  void keptTensorsCodedUniformTrainAsFloatsAndAreCodedAgainFromTheirTrainedValues() throws IOException {
    CompressionSettings s = TestSettings.of(CodecKind.DP, 3, Scope.TENSOR).passthroughUniformBits(8).build();
    Artifact a = compress("recode", s);
    List<String> biases = new ArrayList<>();
    for (TensorRecord t : a.manifest().tensors()) {
      if (t.spec().shape().length == 1) {
        assertEquals(CodecKind.UNIFORM, t.codec(), t.spec().name() + " coded by passthrough.uniform-bits");
        biases.add(t.spec().name());
      }
    }
    assertEquals(2, biases.size());
    CompressedModel cm = CompressedModel.of(a, Set.of(), null, s::keepsAsIs);
    assertEquals(Set.copyOf(biases), cm.recoded());
    assertEquals(Set.of(biases.get(1)), CompressedModel.of(a, Set.of(biases.get(0)), null, s::keepsAsIs).recoded(),
        "a frozen tensor does not train, so it is not coded again");
    assertTrue(CompressedModel.of(a, Set.of()).recoded().isEmpty(), "without the recipe's rule nothing is");
    for (String b : biases) {
      assertFalse(cm.plan().coded().containsKey(b));
      assertFalse(cm.plan().frozen().contains(b));
    }
    // Trained values: the bindings' parameters as they were, each bias moved away from its grid.
    ParameterValues init = initial(cm.plan());
    List<String> names = new ArrayList<>(init.names());
    List<long[]> shapes = new ArrayList<>(init.shapes());
    List<float[]> values = new ArrayList<>(List.of(init.values()));
    SplittableRandom r = new SplittableRandom(11);
    Map<String, float[]> trainedBiases = new TreeMap<>();
    for (String b : biases) {
      TensorRecord t = a.manifest().tensors().stream().filter(x -> x.spec().name().equals(b)).findFirst().orElseThrow();
      float[] v = floats(ArtifactRestorer.restoreToBytes(a, t));
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (0.05 * r.nextGaussian());
      }
      trainedBiases.put(b, v);
      names.add(b);
      shapes.add(t.spec().shape());
      values.add(v.clone());
    }
    Path out = new Path(dir.resolve("recoded.nnz.safetensors").toUri());
    nnzip.finetune.FinetunedArtifact.write(a, cm, new ParameterValues(names, shapes, values.toArray(new float[0][])),
        originals(), fs, out, a.recipe(), a.source());
    Artifact written = Artifact.open(fs, out);
    written.verify();
    for (TensorRecord t : written.manifest().tensors()) {
      String name = t.spec().name();
      float[] decoded = floats(ArtifactRestorer.restoreToBytes(written, t));
      float[] want = trainedBiases.get(name);
      if (want == null) {
        TensorRecord before = a.manifest().tensors().stream().filter(x -> x.spec().name().equals(name)).findFirst()
            .orElseThrow();
        assertArrayEquals(floats(ArtifactRestorer.restoreToBytes(a, before)), decoded, 0f, name + " did not move");
        continue;
      }
      assertEquals(CodecKind.UNIFORM, t.codec());
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      for (float x : want) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      double halfStep = (hi - lo) / 255.0 / 2 * (1 + 1.0 / nnzip.codec.uniform.UniformCodec.HALF_STEP_SLACK);
      for (int i = 0; i < want.length; i++) {
        assertTrue(Math.abs(decoded[i] - want[i]) <= halfStep * (1 + 1e-6),
            name + "[" + i + "]: " + decoded[i] + " decoded, " + want[i] + " trained, half step " + halfStep);
      }
    }
  }

  private static float[] floats(byte[] littleEndian) {
    float[] v = new float[littleEndian.length / Float.BYTES];
    ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  @Test
  void aqGlobalNormalizedBindingDecodesAsTheRestorer() throws IOException {
    checkEveryBinding(aqArtifact("aq", false), WeightBinding.Aq.class);
  }

  @Test
  void aqBindingWithHalfCodebooksDecodesAsTheRestorer() throws IOException {
    checkEveryBinding(aqArtifact("aq16", true), WeightBinding.Aq.class);
  }

  @Test
  void reencodingAgainstTheOriginalWithTheStoredCodebooksReproducesTheCompressorsCodes() throws IOException {
    Artifact a = aqArtifact("aqre", false);
    CompressedModel cm = CompressedModel.of(a, Set.of());
    ParameterValues params = initial(cm.plan());
    ParameterValues before = params.copy();
    AqReencoder r = new AqReencoder(cm, originals(), 1, 10, AQ.beam(), s -> {});
    AqReencoder.Stats s = r.reencode(params, 1);
    assertEquals(0, s.changed(), "the compressor's final encode is this beam search on the same codebooks");
    assertEquals(s.errorBefore(), s.errorAfter(), 1e-9 * s.errorBefore(), "the same codes (sums in another order)");
    for (String n : params.names()) {
      assertArrayEquals(before.get(n), params.get(n));
    }
    // Before finetuning moves anything, the shifted target is the original.
    assertEquals(0, new AqReencoder(cm, originals(), nnzip.train.TrainingSettings.AqReencode.Target.SHIFTED, 1, 10, AQ.beam(), x -> {})
        .reencode(params, 1).changed());
  }

  @Test
  void trainedWeightsRideAlongWithoutChangingTheDecodeAndStartAtTheOriginal() throws IOException {
    Artifact a = aqArtifact("aqtrained", false);
    CompressedModel plain = CompressedModel.of(a, Set.of());
    CompressedModel cm = CompressedModel.of(a, Set.of(), originals(), spec -> false);
    for (var e : cm.plan().coded().entrySet()) {
      WeightBinding.Aq aq = (WeightBinding.Aq) e.getValue();
      float[] param = cm.plan().parameters().get(aq.parameter()).values();
      assertTrue(aq.trainedAt() >= 0);
      assertArrayEquals(plain.plan().coded().get(e.getKey()).decode(
          plain.plan().parameters().get(aq.parameter()).values()), aq.decode(param));
      float[] w = originals().get(e.getKey());
      float[] grad = new float[param.length];
      float[] dw = new float[w.length];
      java.util.Arrays.fill(dw, 1f);
      aq.addGradient(param, dw, grad);
      for (int i = 0; i < w.length; i++) {
        assertEquals(w[i] * (1f / aq.scale()), param[aq.trainedAt() + i], 0f);
        assertEquals(aq.scale(), grad[aq.trainedAt() + i], 0f, "straight through, in the codebooks' units");
      }
    }
    checkEveryBinding(a, WeightBinding.Aq.class);
    ParameterValues params = initial(cm.plan());
    assertEquals(0, new AqReencoder(cm, originals(), nnzip.train.TrainingSettings.AqReencode.Target.TRAINED, 1, 10,
        AQ.beam(), x -> {}).reencode(params, 1).changed(), "the trained weights start at the original");
  }

  @Test
  void reencodingMovedCodebooksGivesTheNearestCodewordsAndOnlyAtItsSteps() throws IOException {
    Artifact a = aqArtifact("aqmove", false);
    CompressedModel cm = CompressedModel.of(a, Set.of());
    ParameterValues params = initial(cm.plan());
    WeightBinding.Aq any = (WeightBinding.Aq) cm.plan().coded().values().iterator().next();
    float[] p = params.get(any.parameter());
    SplittableRandom rng = new SplittableRandom(9);
    for (int i = 0; i < any.codebookValues(); i++) {
      p[i] += (float) (0.3 * rng.nextGaussian());
    }
    Map<String, float[]> original = originals();
    // A beam of K^(M−1) makes the search exhaustive: compare with brute force over all tuples.
    AqReencoder r = new AqReencoder(cm, original, 7, 5, 1 << (AQ.codebookBits() * (AQ.codebooks() - 1)), s -> {});
    ParameterValues untouched = params.copy();
    r.startStep(1, 3, params); // global step 3: not a multiple of 7
    r.startStep(2, 1, params); // global step 6
    assertArrayEquals(untouched.get(any.parameter()), params.get(any.parameter()));
    List<AqReencoder.Stats> seen = new ArrayList<>();
    r = new AqReencoder(cm, original, 7, 5, 1 << (AQ.codebookBits() * (AQ.codebooks() - 1)), seen::add);
    r.startStep(2, 2, params); // global step 7
    assertEquals(1, seen.size());
    assertTrue(seen.get(0).changed() > 0, "moved codebooks change some codes");
    assertTrue(seen.get(0).errorAfter() <= seen.get(0).errorBefore());
    for (var e : cm.plan().coded().entrySet()) {
      WeightBinding.Aq aq = (WeightBinding.Aq) e.getValue();
      float[] q = params.get(aq.parameter());
      Codebooks books = aq.codebooks(q);
      int[] codes = aq.codes(q);
      float[] w = original.get(e.getKey());
      float inv = 1f / aq.scale();
      int d = aq.dim();
      int k = aq.k();
      for (int s = 0; s < aq.subvectors(); s++) {
        double best = Double.POSITIVE_INFINITY;
        double chosen = 0;
        for (int j0 = 0; j0 < k; j0++) {
          for (int j1 = 0; j1 < k; j1++) {
            double err = 0;
            for (int t = 0; t < d; t++) {
              int i = s * d + t;
              double x = i < w.length ? w[i] * inv : 0;
              double r0 = x - ((double) books.value(0, j0, t) + books.value(1, j1, t));
              err += r0 * r0;
            }
            best = Math.min(best, err);
            if (j0 == codes[s * 2] && j1 == codes[s * 2 + 1]) {
              chosen = err;
            }
          }
        }
        assertEquals(best, chosen, 1e-4 * Math.max(1, best), "subvector " + s + " of " + e.getKey());
      }
    }
  }

  static final AqParams AQ = new AqParams(8, 2, 4, 4, 2, 0, 7);

  /** The aq compressor's steps in one JVM, global codebooks over RMS-normalized tensors. */
  private static Artifact aqArtifact(String name, boolean half) throws IOException {
    AqSettings aq = new AqSettings(AQ, Scope.GLOBAL, AqSettings.Normalization.RMS, 1e-4,
        half ? nnzip.tensor.DType.F16 : nnzip.tensor.DType.F32, 0);
    CompressionSettings settings = TestSettings.of(CodecKind.AQ, AQ.codebookBits(), Scope.TENSOR).aq(aq).build();
    return Artifact.open(fs, LocalCompressor.compress(fs, model, new Path(dir.resolve(name).toUri()), settings, null)
        .artifact());
  }

  /** The model's weights by tensor key, as the ONNX file holds them. */
  private static Map<String, float[]> originals() throws IOException {
    Map<String, float[]> w = new TreeMap<>();
    var weights = nnzip.io.onnx.OnnxWeights.of(nnzip.io.onnx.OnnxModelFile.read(fs, model));
    for (var x : weights.list()) {
      float[] v = new float[(int) x.spec().numElements()];
      ByteBuffer.wrap(weights.bytes(x.key())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      w.put(x.key(), v);
    }
    return w;
  }

  private static ParameterValues initial(WeightPlan plan) {
    List<String> names = new ArrayList<>(plan.parameters().keySet());
    List<long[]> shapes = new ArrayList<>();
    float[][] values = new float[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      shapes.add(plan.parameters().get(names.get(i)).shape());
      values[i] = plan.parameters().get(names.get(i)).values().clone();
    }
    return new ParameterValues(names, shapes, values);
  }

  @SafeVarargs
  private static void checkEveryBinding(Artifact a, Class<? extends WeightBinding>... kinds) throws IOException {
    CompressedModel cm = CompressedModel.of(a, Set.of());
    WeightPlan plan = cm.plan();
    int checked = 0;
    for (TensorRecord t : a.manifest().tensors()) {
      WeightBinding b = plan.coded().get(t.spec().name());
      if (t.isPassthrough()) {
        continue;
      }
      assertTrue(b != null, "tensor '" + t.spec().name() + "' (" + t.codec() + ") has a binding");
      assertTrue(List.of(kinds).contains(b.getClass()), b.getClass() + " for " + t.codec());
      float[] param = plan.parameters().get(b.parameter()).values();
      float[] decoded = b.decode(param);
      float[] restored = new float[decoded.length];
      ByteBuffer.wrap(ArtifactRestorer.restoreToBytes(a, t)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
          .get(restored);
      for (int i = 0; i < decoded.length; i++) {
        assertEquals(Float.floatToRawIntBits(restored[i]), Float.floatToRawIntBits(decoded[i]),
            "element " + i + " of '" + t.spec().name() + "': " + restored[i] + " restored, " + decoded[i] + " decoded");
      }
      checkGradient(b, param);
      checked++;
    }
    assertFalse(checked == 0, "the artifact has coded tensors");
  }

  /**
   * L(param) = Σ_i g_i·w_i + ½ Σ_i w_i² with w = decode(param), in double; dL/dw = g + w goes
   * through the binding's chain rule and must match central differences in every trainable entry.
   */
  private static void checkGradient(WeightBinding b, float[] param) {
    float[] w = b.decode(param);
    SplittableRandom rng = new SplittableRandom(w.length);
    double[] g = new double[w.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = rng.nextDouble() * 2 - 1;
    }
    float[] weightGrad = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      weightGrad[i] = (float) (g[i] + w[i]);
    }
    float[] grad = new float[param.length];
    b.addGradient(param, weightGrad, grad);
    int trained = b instanceof WeightBinding.Aq aq ? aq.codebookValues() : param.length;
    for (int j = trained; j < param.length; j++) {
      assertEquals(0f, grad[j], "aq codes get no gradient");
    }
    int nonZero = 0;
    for (int j = 0; j < trained; j++) {
      float h = Math.max(1e-3f, Math.abs(param[j]) * 1e-2f);
      float[] up = param.clone();
      float[] down = param.clone();
      up[j] += h;
      down[j] -= h;
      double fd = (loss(b.decode(up), g) - loss(b.decode(down), g)) / ((double) up[j] - down[j]);
      assertEquals(fd, grad[j], 2e-3 * Math.max(1, Math.abs(fd)), b.parameter() + " entry " + j);
      if (fd != 0) {
        nonZero++;
      }
    }
    assertTrue(nonZero > 0, "some entries of " + b.parameter() + " move the loss");
  }

  private static double loss(float[] w, double[] g) {
    double l = 0;
    for (int i = 0; i < w.length; i++) {
      l += g[i] * w[i] + 0.5 * (double) w[i] * w[i];
    }
    return l;
  }
}
