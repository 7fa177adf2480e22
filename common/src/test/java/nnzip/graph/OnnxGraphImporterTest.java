package nnzip.graph;

import static nnzip.graph.ImportCheck.assertMatchesOrt;
import static nnzip.graph.TestGraph.f;
import static nnzip.graph.TestGraph.i;
import static nnzip.graph.TestGraph.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import onnx.Onnx;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Whole graphs: a small CNN against ONNX Runtime, weight binding, naming, errors, training mode. */
class OnnxGraphImporterTest {

  /**
   * Conv-BN-Relu-MaxPool-Conv-Relu-GlobalAveragePool-Flatten-Gemm-Softmax on [N, 2, 8, 8], with
   * PyTorch-style names ('/' and '::').
   */
  private static ModelProto smallCnn(TestGraph t) {
    String x = t.input("input", 2, 8, 8);
    t.node("Conv", List.of(x, t.weight("conv1.weight", 0.4, 4, 2, 3, 3), t.weight("conv1.bias", 0.2, 4)),
        "/conv1/Conv_output_0").addAllAttribute(List.of(ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)));
    t.node("BatchNormalization", List.of("/conv1/Conv_output_0", t.weight("bn1.weight", 0.5, 4),
        t.weight("bn1.bias", 0.5, 4), t.weight("bn1.running_mean", 0.5, 4),
        t.weight("bn1.running_var", t.uniform(4, 0.5, 2), 4)), "/bn1/BatchNormalization_output_0")
        .addAllAttribute(List.of(f("epsilon", 1e-5f), f("momentum", 0.8f)));
    t.node("Relu", List.of("/bn1/BatchNormalization_output_0"), "/Relu_output_0");
    t.node("MaxPool", List.of("/Relu_output_0"), "/pool/MaxPool_output_0")
        .addAllAttribute(List.of(ints("kernel_shape", 2, 2), ints("strides", 2, 2)));
    t.node("Conv", List.of("/pool/MaxPool_output_0", t.weight("onnx::Conv_21", 0.4, 6, 4, 3, 3)), "onnx::Relu_22")
        .addAllAttribute(List.of(ints("strides", 2, 2), ints("pads", 0, 0, 1, 1)));
    t.node("Relu", List.of("onnx::Relu_22"), "add");
    t.node("GlobalAveragePool", List.of("add"), "gap");
    t.node("Flatten", List.of("gap"), "flat").addAttribute(i("axis", 1));
    t.node("Gemm", List.of("flat", t.weight("fc.weight", 0.5, 5, 6), t.weight("fc.bias", 0.5, 5)), "/fc/Gemm_output_0")
        .addAttribute(i("transB", 1));
    t.node("Softmax", List.of("/fc/Gemm_output_0"), "probabilities").addAttribute(i("axis", -1));
    return t.build("probabilities");
  }

  @Test
  void smallCnnMatchesOnnxRuntimeAndNamesItsVariablesAfterOnnxTensors() throws Exception {
    ModelProto model = smallCnn(new TestGraph("small-cnn", 21));
    ImportedGraph g = assertMatchesOrt(model, 3, 2, 8, 8);
    assertEquals("input", g.input());
    assertArrayEquals(new long[] {2, 8, 8}, g.inputShape());
    assertEquals("probabilities", g.output());
    assertEquals(OnnxGraphImporter.variableName("/fc/Gemm_output_0"), g.logits());
    assertEquals(5, g.numClasses());
    assertEquals(model.getGraph().getInitializerList().stream().map(Onnx.TensorProto::getName).toList(), g.weights());
    assertTrue(g.batchNorms().isEmpty());
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 8, 8);
    String pooled = OnnxGraphImporter.variableName("/pool/MaxPool_output_0");
    Map<String, INDArray> out = g.sd().output(Map.of(g.input(), x), pooled, "onnx::Relu_22", "add", g.logits());
    assertArrayEquals(new long[] {2, 4, 4, 4}, out.get(pooled).shape());
    assertArrayEquals(new long[] {2, 6, 2, 2}, out.get("onnx::Relu_22").shape());
    assertArrayEquals(new long[] {2, 5}, out.get(g.logits()).shape());
  }

  @Test
  void onnxNamesThatSameDiffGaveToInternalVariablesStillNameTheirTensors() throws Exception {
    TestGraph t = new TestGraph("internal-names", 33);
    String x = t.input("x", 4);
    // Gemm's own variables come first; SameDiff names them "matmul" and "mul_scalar".
    t.node("Gemm", List.of(x, t.weight("w", 1, 4, 3), t.weight("b", 1, 3)), "g").addAttribute(f("alpha", 2f));
    t.node("Relu", List.of("g"), "matmul");
    // The Mul op's own output is named "mul" by SameDiff, before it becomes the ONNX tensor "mul".
    t.node("Mul", List.of("matmul", t.weight("mul_scalar", 1, 3)), "mul");
    ImportedGraph g = assertMatchesOrt(t.build("mul"), 2, 4);
    assertEquals("mul", g.output());
    INDArray in = Nd4j.create(new float[] {1, -2, 3, 0.5f}, new long[] {1, 4}, 'c');
    Map<String, INDArray> out = g.sd().output(Map.of(g.input(), in), "g", "matmul");
    float[] gemm = out.get("g").data().asFloat();
    float[] relu = out.get("matmul").data().asFloat();
    for (int j = 0; j < 3; j++) {
      assertEquals(Math.max(0, gemm[j]), relu[j]);
    }
    assertArrayEquals(new long[] {3}, g.sd().getVariable("mul_scalar").getArr().shape());
    assertEquals(List.of("w", "b", "mul_scalar"), g.weights());
  }

  @Test
  void everyUsedFloatWeightGoesThroughTheBinderUnderItsOnnxKey() {
    TestGraph t = new TestGraph("binding", 22);
    String x = t.input("x", 6);
    String w = t.constant("const/w", 0.5, 6, 4);
    String b = t.typedWeight("b", new float[] {1, 2, 3, 4}, 4);
    t.weight("unused", 1, 3);
    t.node("MatMul", List.of(x, w), "m");
    t.node("Add", List.of("m", b), "a");
    t.node("Reshape", List.of("a", t.longs("shape", -1, 4)), "y");
    Map<String, long[]> seen = new LinkedHashMap<>();
    WeightBinder recording = (sd, key, value) -> {
      seen.put(key, value.shape());
      assertEquals(DataType.FLOAT, value.dataType());
      return WeightBinder.VARIABLES.bind(sd, key, value);
    };
    ImportedGraph g = OnnxGraphImporter.load(t.build("y"), recording, GraphMode.INFERENCE);
    assertEquals(List.of("const/w", "b"), List.copyOf(seen.keySet()));
    assertArrayEquals(new long[] {6, 4}, seen.get("const/w"));
    // ONNX order: initializers first, then Constant nodes (OnnxWeights' walk order).
    assertEquals(List.of("b", "const/w"), g.weights());
    INDArray bias = g.sd().getVariable(OnnxGraphImporter.variableName("b")).getArr();
    assertArrayEquals(new float[] {1, 2, 3, 4}, bias.data().asFloat());
    INDArray out = g.sd().output(Map.of(g.input(), Nd4j.zeros(DataType.FLOAT, 2, 6)), g.output()).get(g.output());
    assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, out.dup('c').data().asFloat());
  }

  @Test
  void aConstantNodeWeightMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("constant-weight", 23);
    String x = t.input("x", 3, 4);
    t.node("Mul", List.of(x, t.constant("scale", 1, 3, 1)), "m");
    t.node("Add", List.of("m", t.constant("shift", 1, 4)), "y");
    assertMatchesOrt(t.build("y"), WeightBinder.VARIABLES, 2, 3, 4);
  }

  @Test
  void anUnsupportedOpIsRefusedNamingTheOpAndTheNode() {
    TestGraph t = new TestGraph("with-erf", 24);
    String x = t.input("x", 4);
    t.node("Relu", List.of(x), "r");
    t.node("Erf", List.of("r"), "y");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(t.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("'with-erf'"), e.getMessage());
    assertTrue(e.getMessage().contains("ONNX op 'Erf' (node 'erf:y') is not supported"), e.getMessage());
    assertTrue(e.getMessage().contains("supported: Gemm, MatMul"), e.getMessage());
  }

  @Test
  void unsupportedAttributeValuesAreRefusedNamingOpNodeAndAttribute() {
    TestGraph t = new TestGraph("ceil", 25);
    String x = t.input("x", 1, 5, 5);
    t.node("MaxPool", List.of(x), "y").addAllAttribute(List.of(ints("kernel_shape", 2, 2), i("ceil_mode", 1)));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(t.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("ONNX op 'MaxPool' (node 'maxpool:y'): attribute 'ceil_mode' = 1"),
        e.getMessage());
    TestGraph u = new TestGraph("auto-pad", 25);
    String x2 = u.input("x", 1, 5, 5);
    u.node("Conv", List.of(x2, u.weight("w", 1, 2, 1, 3, 3)), "y").addAttribute(TestGraph.s("auto_pad", "SOMETIMES"));
    e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(u.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("ONNX op 'Conv' (node 'conv:y'): attribute 'auto_pad' = SOMETIMES"),
        e.getMessage());
  }

  @Test
  void aReshapeThatWouldFixTheBatchIsRefused() {
    TestGraph t = new TestGraph("fixed-batch", 26);
    String x = t.input("x", 4, 5);
    t.node("Reshape", List.of(x, t.longs("shape", 1, -1)), "y");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(t.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("ONNX op 'Reshape'") && e.getMessage().contains("[1, -1]"), e.getMessage());
  }

  @Test
  void aDropoutMaskIsRefusedOnlyWhenTheGraphUsesIt() throws Exception {
    TestGraph t = new TestGraph("dropout-unused-mask", 27);
    t.node("Dropout", List.of(t.input("x", 4)), "y", "mask");
    assertMatchesOrt(t.build("y"), 2, 4);
    TestGraph u = new TestGraph("dropout-used-mask", 27);
    u.node("Dropout", List.of(u.input("x", 4)), "d", "mask");
    u.node("Identity", List.of("mask"), "y");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(u.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("ONNX op 'Dropout'") && e.getMessage().contains("'mask'"), e.getMessage());
  }

  @Test
  void aGraphWithoutExactlyOneFloatInputIsRefused() {
    TestGraph t = new TestGraph("two-inputs", 28);
    String a = t.input("a", 4);
    String b = t.input("b", 4);
    t.node("Add", List.of(a, b), "y");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(t.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("exactly one FLOAT input") && e.getMessage().contains("'b'"), e.getMessage());
    TestGraph u = new TestGraph("int-input", 28);
    u.node("Identity", List.of(u.longInput("a", 4)), "y");
    e = assertThrows(InvalidInputException.class,
        () -> OnnxGraphImporter.load(u.build("y"), WeightBinder.CONSTANTS, GraphMode.INFERENCE));
    assertTrue(e.getMessage().contains("'a' (INT64)"), e.getMessage());
  }

  @Test
  void anInputThatIsAlsoAnInitializerIsAWeight() throws Exception {
    TestGraph t = new TestGraph("initializer-input", 29);
    String x = t.input("x", 4);
    String w = t.weight("w", 1, 4);
    t.fixedInput(w, 4);
    t.node("Mul", List.of(x, w), "y");
    assertMatchesOrt(t.build("y"), 3, 4);
  }

  @Test
  void batchNormInTrainingModeNormalizesByTheBatchStatistics() {
    int n = 4;
    int c = 3;
    int hw = 10;
    TestGraph t = new TestGraph("bn-training", 30);
    float[] gamma = t.random(c, 1);
    float[] beta = t.random(c, 1);
    t.node("BatchNormalization", List.of(t.input("x", c, 2, 5), t.weight("g", gamma, c), t.weight("b", beta, c),
        t.weight("rm", 1, c), t.weight("rv", t.uniform(c, 0.5, 2), c)), "y")
        .addAllAttribute(List.of(f("epsilon", 1e-3f), f("momentum", 0.7f)));
    ImportedGraph g = OnnxGraphImporter.load(t.build("y"), WeightBinder.CONSTANTS, GraphMode.TRAINING);
    assertEquals(1, g.batchNorms().size());
    ImportedGraph.BatchNormStats s = g.batchNorms().get(0);
    assertEquals("rm", s.runningMean());
    assertEquals("rv", s.runningVar());
    assertEquals(0.7f, s.momentum());
    float[] x = t.uniform(n * c * hw, -1, 3);
    Map<String, INDArray> out = g.sd().output(Map.of(g.input(), Nd4j.create(x, new long[] {n, c, 2, 5}, 'c')),
        g.output(), s.batchMean(), s.batchVar());
    float[] y = out.get(g.output()).dup('c').data().asFloat();
    for (int ch = 0; ch < c; ch++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < hw; j++) {
          mean += x[(i * c + ch) * hw + j];
        }
      }
      mean /= n * hw;
      double var = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < hw; j++) {
          var += Math.pow(x[(i * c + ch) * hw + j] - mean, 2);
        }
      }
      var /= n * hw; // biased, as ONNX training mode normalizes
      assertEquals(mean, out.get(s.batchMean()).getDouble(ch), 1e-5);
      assertEquals(var, out.get(s.batchVar()).getDouble(ch), 1e-5);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < hw; j++) {
          int k = (i * c + ch) * hw + j;
          double expected = gamma[ch] * (x[k] - mean) / Math.sqrt(var + 1e-3) + beta[ch];
          assertEquals(expected, y[k], 1e-4, "channel " + ch + ", example " + i);
        }
      }
    }
  }

  /**
   * Conv(pads, bias) → BatchNormalization (TRAINING) → Tanh → AveragePool (pads, excluded) →
   * Flatten → Gemm: smooth everywhere, so central differences are exact up to float rounding.
   */
  @Test
  void gradientsThroughConvBatchNormAndGemmMatchCentralDifferences() {
    TestGraph t = new TestGraph("grad", 31);
    String x = t.input("x", 2, 6, 6);
    t.node("Conv", List.of(x, t.weight("conv.w", 0.4, 3, 2, 3, 3), t.weight("conv.b", 0.3, 3)), "c")
        .addAllAttribute(List.of(ints("pads", 1, 0, 1, 2), ints("strides", 1, 1)));
    t.node("BatchNormalization", List.of("c", t.weight("bn.g", t.uniform(3, 0.5, 1.5), 3), t.weight("bn.b", 0.3, 3),
        t.weight("bn.rm", 1, 3), t.weight("bn.rv", t.uniform(3, 0.5, 2), 3)), "n");
    t.node("Tanh", List.of("n"), "h");
    t.node("AveragePool", List.of("h"), "p")
        .addAllAttribute(List.of(ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)));
    t.node("Flatten", List.of("p"), "f");
    t.node("Gemm", List.of("f", t.weight("fc.w", 0.5, 4, 27), t.weight("fc.b", 0.3, 4)), "logits")
        .addAttribute(i("transB", 1));
    Set<String> frozen = Set.of("bn.rm", "bn.rv");
    WeightBinder binder = (sd, key, value) -> frozen.contains(key) ? WeightBinder.CONSTANTS.bind(sd, key, value)
        : WeightBinder.VARIABLES.bind(sd, key, value);
    ImportedGraph g = OnnxGraphImporter.load(t.build("logits"), binder, GraphMode.TRAINING);
    assertGradientsMatchCentralDifferences(g, t, List.of("conv.w", "conv.b", "bn.g", "bn.b", "fc.w", "fc.b"), 1e-2);
  }

  /**
   * Depthwise and grouped Conv, MaxPool with asymmetric pads, AveragePool counting pads, Concat,
   * Mul and Add broadcasting weights, Reshape and MatMul (MaxPool is only piecewise smooth: a
   * larger step moves some windows' maxima).
   */
  @Test
  void gradientsThroughGroupedConvPoolingAndBroadcastsMatchCentralDifferences() {
    TestGraph t = new TestGraph("grad-2", 32);
    String x = t.input("x", 2, 6, 6);
    t.node("Conv", List.of(x, t.weight("dw.w", 0.5, 4, 1, 3, 3), t.weight("dw.b", 0.3, 4)), "d")
        .addAllAttribute(List.of(i("group", 2), ints("pads", 1, 1, 1, 1)));
    t.node("Conv", List.of("d", t.weight("g.w", 0.4, 4, 2, 1, 1)), "gc").addAttribute(i("group", 2));
    t.node("Mul", List.of("gc", t.weight("scale", 0.5, 4, 1, 1)), "m");
    t.node("MaxPool", List.of("m"), "mp")
        .addAllAttribute(List.of(ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 0, 0, 1, 1)));
    t.node("AveragePool", List.of("d"), "ap").addAllAttribute(List.of(ints("kernel_shape", 3, 3),
        ints("strides", 2, 2), ints("pads", 0, 0, 2, 2), i("count_include_pad", 1)));
    t.node("Concat", List.of("mp", "ap"), "cat").addAttribute(i("axis", 1));
    t.node("Reshape", List.of("cat", t.longs("shape", 0, -1)), "r");
    t.node("MatMul", List.of("r", t.weight("fc.w", 0.1, 72, 3)), "mm");
    t.node("Add", List.of("mm", t.weight("fc.b", 0.3, 3)), "logits");
    ImportedGraph g = OnnxGraphImporter.load(t.build("logits"), WeightBinder.VARIABLES, GraphMode.INFERENCE);
    assertGradientsMatchCentralDifferences(g, t, List.of("dw.w", "dw.b", "g.w", "scale", "fc.w", "fc.b"), 1e-3);
  }

  /**
   * Inference mode (frozen BatchNorm statistics, as finetuning uses it), Conv with SameDiff's own
   * symmetric padding, without a bias, and with a constant bias or a constant weight (a frozen
   * layer between trainable ones).
   */
  @Test
  void gradientsInInferenceModeThroughConvsWithoutBiasOrWithConstantsMatchCentralDifferences() {
    TestGraph t = new TestGraph("grad-3", 34);
    String x = t.input("x", 2, 6, 6);
    t.node("Conv", List.of(x, t.weight("c1.w", 0.5, 3, 2, 3, 3), t.weight("c1.b", 0.5, 3)), "c1")
        .addAttribute(ints("pads", 1, 1, 1, 1));
    t.node("BatchNormalization", List.of("c1", t.weight("bn.g", t.uniform(3, 0.5, 1.5), 3), t.weight("bn.b", 0.3, 3),
        t.weight("bn.rm", 0.3, 3), t.weight("bn.rv", t.uniform(3, 0.5, 2), 3)), "n1");
    t.node("Tanh", List.of("n1"), "h1");
    t.node("Conv", List.of("h1", t.weight("c2.w", 0.4, 3, 3, 3, 3)), "c2")
        .addAllAttribute(List.of(ints("pads", 1, 1, 1, 1), ints("strides", 2, 2)));
    t.node("Tanh", List.of("c2"), "h2");
    t.node("Conv", List.of("h2", t.weight("c3.w", 0.4, 3, 3, 1, 1)), "c3");
    t.node("Flatten", List.of("c3"), "f");
    t.node("Gemm", List.of("f", t.weight("fc.w", 0.2, 3, 27), t.weight("fc.b", 0.3, 3)), "logits")
        .addAttribute(i("transB", 1));
    Set<String> frozen = Set.of("c1.b", "c2.w", "bn.rm", "bn.rv");
    WeightBinder binder = (sd, key, value) -> frozen.contains(key) ? WeightBinder.CONSTANTS.bind(sd, key, value)
        : WeightBinder.VARIABLES.bind(sd, key, value);
    ImportedGraph g = OnnxGraphImporter.load(t.build("logits"), binder, GraphMode.INFERENCE);
    assertGradientsMatchCentralDifferences(g, t, List.of("c1.w", "bn.g", "bn.b", "c3.w", "fc.w", "fc.b"), 1e-2);
  }

  /**
   * Adds a summed softmax cross-entropy on the logits (as training does) and compares SameDiff's
   * gradient with central differences (step h) on four random entries of each weight, wherever
   * the gradient is not negligible (> 1% of the weight's largest and > 1e-3). The differences
   * take the loss in double from the float logits, so that rounding stays well below the step.
   */
  private static void assertGradientsMatchCentralDifferences(ImportedGraph g, TestGraph t, List<String> trainable,
      double h) {
    SameDiff sd = g.sd();
    int k = g.numClasses();
    SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, k);
    sd.loss().softmaxCrossEntropy("loss", label, sd.getVariable(g.logits()), null, LossReduce.SUM, 0.0);
    sd.setLossVariables("loss");
    int n = 5;
    long[] shape = new long[g.inputShape().length + 1];
    shape[0] = n;
    System.arraycopy(g.inputShape(), 0, shape, 1, g.inputShape().length);
    float[] labels = new float[n * k];
    for (int e = 0; e < n; e++) {
      labels[e * k + e % k] = 1;
    }
    Map<String, INDArray> feed = Map.of(g.input(), Nd4j.create(t.random(TestGraph.count(shape), 1), shape, 'c'),
        "label", Nd4j.create(labels, new long[] {n, k}, 'c'));
    Map<String, INDArray> grads = sd.calculateGradients(feed, trainable);
    SplittableRandom rng = new SplittableRandom(3);
    int checked = 0;
    List<String> failures = new ArrayList<>();
    for (String w : trainable) {
      INDArray arr = sd.getVariable(w).getArr();
      INDArray grad = grads.get(w);
      assertArrayEquals(arr.shape(), grad.shape(), w);
      double scale = grad.amaxNumber().doubleValue();
      for (int j = 0; j < 4; j++) {
        long idx = rng.nextLong(arr.length());
        double analytic = grad.getDouble(idx);
        assertTrue(Double.isFinite(analytic), w);
        double v = arr.getDouble(idx);
        arr.putScalar(idx, v + h);
        double up = crossEntropy(sd.output(feed, g.logits()).get(g.logits()), labels, k);
        arr.putScalar(idx, v - h);
        double down = crossEntropy(sd.output(feed, g.logits()).get(g.logits()), labels, k);
        arr.putScalar(idx, v);
        double numeric = (up - down) / (2 * h);
        if (Math.abs(analytic) > 1e-2 * scale && Math.abs(analytic) > 1e-3) {
          checked++;
          if (Math.abs(numeric - analytic) > 1e-2 * Math.abs(analytic)) {
            failures.add(w + "[" + idx + "]: analytic " + analytic + ", numeric " + numeric);
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.toString());
    assertTrue(checked >= 2 * trainable.size(), "only " + checked + " entries had a non-negligible gradient");
  }

  /** Summed softmax cross-entropy of logits [n, k] against one-hot labels, in double. */
  private static double crossEntropy(INDArray logits, float[] labels, int k) {
    float[] z = logits.dup('c').data().asFloat();
    double loss = 0;
    for (int e = 0; e < z.length / k; e++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, z[e * k + j]);
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += Math.exp(z[e * k + j] - max);
      }
      for (int j = 0; j < k; j++) {
        loss -= labels[e * k + j] * (z[e * k + j] - max - Math.log(sum));
      }
    }
    return loss;
  }
}
