package nnzip.graph;

import static nnzip.graph.ImportCheck.assertMatchesOrt;
import static nnzip.graph.TestGraph.f;
import static nnzip.graph.TestGraph.i;
import static nnzip.graph.TestGraph.ints;
import static nnzip.graph.TestGraph.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;

/** Every supported operator, alone in a graph, computes what ONNX Runtime computes. */
class OnnxOpsTest {

  /** A graph x[N, dims...] → op(x, extra inputs...) → y. */
  private static ModelProto single(String name, String op, long[] dims, List<String> extra, AttributeProto... attrs) {
    return single(new TestGraph(name, 7), op, dims, extra, attrs);
  }

  private static ModelProto single(TestGraph t, String op, long[] dims, List<String> extra, AttributeProto... attrs) {
    String x = t.input("x", dims);
    List<String> inputs = new java.util.ArrayList<>();
    inputs.add(x);
    inputs.addAll(extra);
    t.node(op, inputs, "y").addAllAttribute(List.of(attrs));
    return t.build("y");
  }

  private static long[] d(long... v) {
    return v;
  }

  // ---- Gemm and MatMul

  @Test
  void gemmWithTransBAndBiasMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("gemm-transB", 1);
    List<String> w = List.of(t.weight("fc.weight", 0.5, 5, 6), t.weight("fc.bias", 0.5, 5));
    assertMatchesOrt(single(t, "Gemm", d(6), w, i("transB", 1)), 3, 6);
  }

  @Test
  void gemmWithAlphaBetaAndRowBiasMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("gemm-alpha-beta", 2);
    List<String> w = List.of(t.weight("b", 0.5, 6, 4), t.weight("c", 0.5, 1, 4));
    assertMatchesOrt(single(t, "Gemm", d(6), w, f("alpha", 0.7f), f("beta", -1.5f)), 3, 6);
  }

  @Test
  void gemmWithoutBiasAndScalarBiasMatchOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("gemm-no-bias", 3);
    assertMatchesOrt(single(t, "Gemm", d(6), List.of(t.weight("b", 0.5, 6, 4))), 2, 6);
    TestGraph u = new TestGraph("gemm-scalar-bias", 3);
    List<String> w = List.of(u.weight("b", 0.5, 6, 4), u.weight("c", 1, new long[0]));
    assertMatchesOrt(single(u, "Gemm", d(6), w), 2, 6);
  }

  @Test
  void gemmWithTransAOnAFixedBatchMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("gemm-transA", 4);
    String x = t.fixedInput("x", 3, 5);
    t.node("Gemm", List.of(x, t.weight("b", 0.5, 4, 3), t.weight("c", 0.5, 4)), "y")
        .addAllAttribute(List.of(i("transA", 1), i("transB", 1), f("alpha", 2f)));
    ImportedGraph g = assertMatchesOrt(t.build("y"), 3, 5);
    assertEquals(4, g.numClasses());
  }

  @Test
  void matMulOfMatrixAndOfRank3InputMatchOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("matmul", 5);
    assertMatchesOrt(single(t, "MatMul", d(6), List.of(t.weight("w", 0.5, 6, 3))), 4, 6);
    TestGraph u = new TestGraph("matmul-rank3", 5);
    assertMatchesOrt(single(u, "MatMul", d(2, 6), List.of(u.weight("w", 0.5, 6, 3))), 4, 2, 6);
  }

  // ---- elementwise

  @Test
  void addAndMulBroadcastLikeNumpy() throws Exception {
    TestGraph t = new TestGraph("add-channel", 6);
    assertMatchesOrt(single(t, "Add", d(3, 4, 5), List.of(t.weight("b", 1, 3, 1, 1))), 2, 3, 4, 5);
    TestGraph u = new TestGraph("mul-row", 6);
    assertMatchesOrt(single(u, "Mul", d(3, 4, 5), List.of(u.weight("s", 1, 5))), 2, 3, 4, 5);
    TestGraph v = new TestGraph("mul-weight-first", 6);
    String x = v.input("x", 3, 4);
    v.node("Mul", List.of(v.weight("s", 1, 1, 3, 1), x), "y");
    assertMatchesOrt(v.build("y"), 2, 3, 4);
  }

  @Test
  void addOfTwoComputedTensorsMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("add-residual", 7);
    String x = t.input("x", 4);
    t.node("Relu", List.of(x), "r");
    t.node("Add", List.of("r", x), "y");
    assertMatchesOrt(t.build("y"), 3, 4);
  }

  @Test
  void activationsMatchOnnxRuntime() throws Exception {
    assertMatchesOrt(single("relu", "Relu", d(3, 4), List.of()), 2, 3, 4);
    assertMatchesOrt(single("sigmoid", "Sigmoid", d(7), List.of()), 3, 7);
    assertMatchesOrt(single("tanh", "Tanh", d(7), List.of()), 3, 7);
    assertMatchesOrt(single("identity", "Identity", d(7), List.of()), 3, 7);
    assertMatchesOrt(single("dropout", "Dropout", d(7), List.of()), 3, 7);
  }

  @Test
  void leakyReluUsesItsAlphaAndTheDefault() throws Exception {
    assertMatchesOrt(single("leaky-0.2", "LeakyRelu", d(3, 4), List.of(), f("alpha", 0.2f)), 2, 3, 4);
    assertMatchesOrt(single("leaky-default", "LeakyRelu", d(9), List.of()), 2, 9);
  }

  @Test
  void softmaxAlongTheLastAndAnInnerAxisMatchesOnnxRuntime() throws Exception {
    assertMatchesOrt(single("softmax-last", "Softmax", d(5), List.of(), i("axis", -1)), 3, 5);
    assertMatchesOrt(single("softmax-default", "Softmax", d(3, 4), List.of()), 2, 3, 4);
    assertMatchesOrt(single("softmax-axis1", "Softmax", d(3, 4), List.of(), i("axis", 1)), 2, 3, 4);
  }

  @Test
  void opset11SoftmaxFlattensTheTrailingAxes() throws Exception {
    TestGraph t = new TestGraph("softmax-opset11", 8).opset(11);
    assertMatchesOrt(single(t, "Softmax", d(3, 4), List.of(), i("axis", 1)), 2, 3, 4);
  }

  // ---- convolution

  @Test
  void convWithStridePadsAndBiasMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("conv-stride-pads-bias", 9);
    List<String> w = List.of(t.weight("conv.weight", 0.3, 4, 3, 3, 3), t.weight("conv.bias", 0.3, 4));
    assertMatchesOrt(single(t, "Conv", d(3, 9, 8), w, ints("strides", 2, 2), ints("pads", 1, 1, 1, 1),
        ints("kernel_shape", 3, 3)), 2, 3, 9, 8);
  }

  @Test
  void convWithoutBiasAndRectangularKernelMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("conv-no-bias", 10);
    assertMatchesOrt(single(t, "Conv", d(2, 7, 6), List.of(t.weight("w", 0.3, 5, 2, 3, 2))), 2, 2, 7, 6);
  }

  @Test
  void convWithAsymmetricPadsMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("conv-asymmetric", 11);
    List<String> w = List.of(t.weight("w", 0.3, 3, 2, 3, 3), t.weight("b", 0.3, 3));
    assertMatchesOrt(single(t, "Conv", d(2, 6, 7), w, ints("pads", 0, 1, 2, 0)), 2, 2, 6, 7);
  }

  @Test
  void convWithDilationMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("conv-dilation", 12);
    List<String> w = List.of(t.weight("w", 0.3, 3, 2, 3, 3), t.weight("b", 0.3, 3));
    assertMatchesOrt(single(t, "Conv", d(2, 9, 10), w, ints("dilations", 2, 3), ints("pads", 1, 2, 1, 2)),
        2, 2, 9, 10);
  }

  @Test
  void convWithSameUpperAndValidAutoPadMatchesOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("conv-same-upper", 13);
    List<String> w = List.of(t.weight("w", 0.3, 3, 2, 3, 3), t.weight("b", 0.3, 3));
    assertMatchesOrt(single(t, "Conv", d(2, 8, 7), w, s("auto_pad", "SAME_UPPER"), ints("strides", 2, 2)),
        2, 2, 8, 7);
    TestGraph u = new TestGraph("conv-same-upper-even-kernel", 13);
    assertMatchesOrt(single(u, "Conv", d(2, 6, 6), List.of(u.weight("w", 0.3, 3, 2, 2, 2)),
        s("auto_pad", "SAME_UPPER")), 2, 2, 6, 6);
    TestGraph l = new TestGraph("conv-same-lower", 13);
    assertMatchesOrt(single(l, "Conv", d(2, 6, 6), List.of(l.weight("w", 0.3, 3, 2, 2, 2)),
        s("auto_pad", "SAME_LOWER")), 2, 2, 6, 6);
    TestGraph v = new TestGraph("conv-valid", 13);
    assertMatchesOrt(single(v, "Conv", d(2, 6, 6), List.of(v.weight("w", 0.3, 3, 2, 3, 3)),
        s("auto_pad", "VALID"), ints("strides", 2, 1)), 2, 2, 6, 6);
  }

  @Test
  void depthwiseAndGroupedConvMatchOnnxRuntime() throws Exception {
    TestGraph t = new TestGraph("conv-depthwise", 14);
    List<String> w = List.of(t.weight("w", 0.3, 6, 1, 3, 3), t.weight("b", 0.3, 6));
    assertMatchesOrt(single(t, "Conv", d(3, 6, 6), w, i("group", 3), ints("pads", 1, 1, 1, 1)), 2, 3, 6, 6);
    TestGraph u = new TestGraph("conv-grouped", 14);
    List<String> v = List.of(u.weight("w", 0.3, 6, 2, 3, 3), u.weight("b", 0.3, 6));
    assertMatchesOrt(single(u, "Conv", d(4, 6, 6), v, i("group", 2), ints("strides", 2, 2)), 2, 4, 6, 6);
  }

  // ---- pooling

  @Test
  void maxPoolWithStridesAndPadsMatchesOnnxRuntime() throws Exception {
    assertMatchesOrt(single("maxpool-2x2", "MaxPool", d(2, 6, 6), List.of(), ints("kernel_shape", 2, 2),
        ints("strides", 2, 2)), 2, 2, 6, 6);
    assertMatchesOrt(single("maxpool-pads", "MaxPool", d(2, 7, 6), List.of(), ints("kernel_shape", 3, 3),
        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)), 2, 2, 7, 6);
    assertMatchesOrt(single("maxpool-asymmetric", "MaxPool", d(2, 6, 6), List.of(), ints("kernel_shape", 3, 2),
        ints("pads", 0, 1, 2, 0)), 2, 2, 6, 6);
    assertMatchesOrt(single("maxpool-dilated", "MaxPool", d(2, 7, 7), List.of(), ints("kernel_shape", 2, 2),
        ints("dilations", 2, 2), ints("pads", 1, 1, 1, 1)), 2, 2, 7, 7);
    assertMatchesOrt(single("maxpool-same-upper", "MaxPool", d(2, 6, 7), List.of(), ints("kernel_shape", 3, 3),
        ints("strides", 2, 2), s("auto_pad", "SAME_UPPER")), 2, 2, 6, 7);
  }

  @Test
  void averagePoolCountsPaddingOnlyWhenAsked() throws Exception {
    assertMatchesOrt(single("avgpool-2x2", "AveragePool", d(2, 6, 6), List.of(), ints("kernel_shape", 2, 2),
        ints("strides", 2, 2)), 2, 2, 6, 6);
    assertMatchesOrt(single("avgpool-pads-exclude", "AveragePool", d(2, 7, 6), List.of(), ints("kernel_shape", 3, 3),
        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)), 2, 2, 7, 6);
    assertMatchesOrt(single("avgpool-pads-include", "AveragePool", d(2, 7, 6), List.of(), ints("kernel_shape", 3, 3),
        ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), i("count_include_pad", 1)), 2, 2, 7, 6);
    assertMatchesOrt(single("avgpool-asymmetric-exclude", "AveragePool", d(2, 6, 6), List.of(),
        ints("kernel_shape", 3, 3), ints("pads", 0, 1, 2, 1)), 2, 2, 6, 6);
    assertMatchesOrt(single("avgpool-asymmetric-include", "AveragePool", d(2, 6, 6), List.of(),
        ints("kernel_shape", 3, 3), ints("pads", 0, 1, 2, 1), i("count_include_pad", 1)), 2, 2, 6, 6);
  }

  @Test
  void globalAveragePoolMatchesOnnxRuntime() throws Exception {
    assertMatchesOrt(single("gap", "GlobalAveragePool", d(3, 5, 4), List.of()), 2, 3, 5, 4);
  }

  // ---- normalization and shapes

  @Test
  void batchNormInInferenceModeUsesRunningStatistics() throws Exception {
    TestGraph t = new TestGraph("bn-inference", 15);
    List<String> w = List.of(t.weight("bn.weight", 1, 3), t.weight("bn.bias", 1, 3), t.weight("bn.running_mean", 1, 3),
        t.weight("bn.running_var", t.uniform(3, 0.5, 2), 3));
    assertMatchesOrt(single(t, "BatchNormalization", d(3, 4, 5), w, f("epsilon", 1e-3f)), 2, 3, 4, 5);
    TestGraph u = new TestGraph("bn-inference-2d", 15);
    List<String> v = List.of(u.weight("g", 1, 6), u.weight("b", 1, 6), u.weight("m", 1, 6),
        u.weight("v", u.uniform(6, 0.5, 2), 6));
    assertMatchesOrt(single(u, "BatchNormalization", d(6), v), 4, 6);
  }

  @Test
  void flattenOnAxisOneAndTwoMatchesOnnxRuntime() throws Exception {
    assertMatchesOrt(single("flatten-1", "Flatten", d(3, 4, 5), List.of(), i("axis", 1)), 2, 3, 4, 5);
    assertMatchesOrt(single("flatten-default", "Flatten", d(3, 4), List.of()), 2, 3, 4);
    assertMatchesOrt(single("flatten-2", "Flatten", d(3, 4, 5), List.of(), i("axis", 2)), 2, 3, 4, 5);
  }

  @Test
  void reshapeWithMinusOneAndZeroKeepsTheBatchDynamic() throws Exception {
    TestGraph t = new TestGraph("reshape-minus-one", 16);
    ImportedGraph g = assertMatchesOrt(single(t, "Reshape", d(4, 5, 5), List.of(t.longs("shape", -1, 100))), 3, 4, 5, 5);
    assertEquals(100, g.numClasses());
    TestGraph u = new TestGraph("reshape-zero", 16);
    assertMatchesOrt(single(u, "Reshape", d(4, 5, 5), List.of(u.longs("shape", 0, 100))), 2, 4, 5, 5);
    TestGraph v = new TestGraph("reshape-zero-minus-one", 16);
    assertMatchesOrt(single(v, "Reshape", d(4, 6), List.of(v.longs("shape", 0, -1, 3))), 2, 4, 6);
    TestGraph w = new TestGraph("reshape-constant-node", 16);
    String shape = w.constantLongs("shape", -1, 2, 12);
    assertMatchesOrt(single(w, "Reshape", d(4, 6), List.of(shape)), 5, 4, 6);
  }

  @Test
  void concatOnTheChannelAxisMatchesOnnxRuntime() throws Exception {
    TestGraph u = new TestGraph("concat-channels", 17);
    String x2 = u.input("x", 2, 4, 4);
    u.node("Relu", List.of(x2), "r");
    u.node("Sigmoid", List.of(x2), "s");
    u.node("Concat", List.of("r", x2, "s"), "y").addAttribute(i("axis", 1));
    assertMatchesOrt(u.build("y"), 2, 2, 4, 4);
    TestGraph v = new TestGraph("concat-last-negative", 17);
    String x3 = v.input("x", 3);
    v.node("Tanh", List.of(x3), "h");
    v.node("Concat", List.of(x3, "h"), "y").addAttribute(i("axis", -1));
    assertMatchesOrt(v.build("y"), 2, 3);
  }
}
