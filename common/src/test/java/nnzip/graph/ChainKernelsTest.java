package nnzip.graph;

import static nnzip.graph.TestGraph.i;
import static nnzip.graph.TestGraph.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import nnzip.model.Architecture;
import nnzip.train.ChunkGradient;
import nnzip.train.GraphSetup;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.WeightPlan;
import onnx.Onnx;
import org.junit.jupiter.api.Test;

/**
 * The hand-written chain kernels (nnzip.train.chain) against SameDiff on the same graph, weights and
 * batch: logits, loss, accuracy count and every weight gradient; and which graphs get them at all.
 */
class ChainKernelsTest {
  private static final int BATCH = 19;

  @Test
  void lenet5MatchesSameDiff() {
    Onnx.ModelProto m = Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 3);
    assertChainMatchesSameDiff(m, 784, false);
    assertChainMatchesSameDiff(m, 784, true);
  }

  @Test
  void mlpMatchesSameDiff() {
    Onnx.ModelProto m = Architecture.MLP_300_100.build(new int[] {1, 28, 28}, 10, 4);
    assertChainMatchesSameDiff(m, 784, false);
    assertChainMatchesSameDiff(m, 784, true);
  }

  /** Logits come in passes of at most 256 rows: 300 rows cross a pass boundary. */
  @Test
  void logitsOfMoreRowsThanOnePassMatchSameDiff() {
    Onnx.ModelProto m = Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 8);
    TrainingGraph chain = build(m);
    TrainingGraph reference = build(m).sameDiffOnly();
    float[] x = new float[300 * 784];
    SplittableRandom rng = new SplittableRandom(13);
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) rng.nextDouble();
    }
    assertClose(reference.logits(x, 300), chain.logits(x, 300), "logits of 300 rows");
  }

  /** Padding, strides and dilation in the convolution, padded strided pooling, MatMul + Add, Gemm transB=0. */
  @Test
  void paddedStridedLayersAndPyTorchStyleDenseMatchSameDiff() {
    TestGraph t = new TestGraph("chain", 5);
    String x = t.input("x", 2, 11, 10);
    t.weight("cw", 0.4, 4, 2, 3, 3);
    t.node("Conv", List.of(x, "cw"), "c").addAttribute(ints("pads", 2, 1, 2, 1)).addAttribute(ints("strides", 2, 1))
        .addAttribute(ints("dilations", 1, 2));
    t.node("Relu", List.of("c"), "r");
    t.node("MaxPool", List.of("r"), "p").addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("strides", 2, 2))
        .addAttribute(ints("pads", 1, 1, 1, 1));
    t.node("Flatten", List.of("p"), "f");
    // Conv out: H (11 + 4 − 3)/2 + 1 = 7, W (10 + 2 − 5)/1 + 1 = 8; pool: 4 × 4.
    t.weight("mw", 0.2, 4 * 4 * 4, 9);
    t.weight("mb", 0.1, 9);
    t.node("MatMul", List.of("f", "mw"), "mm");
    t.node("Add", List.of("mm", "mb"), "a");
    t.node("Relu", List.of("a"), "h");
    t.weight("gw", 0.3, 9, 5);
    t.weight("gb", 0.1, 5);
    t.node("Gemm", List.of("h", "gw", "gb"), "logits");
    t.node("Softmax", List.of("logits"), "prob").addAttribute(i("axis", 1));
    Onnx.ModelProto m = t.build("prob");
    assertChainMatchesSameDiff(m, 2 * 11 * 10, false);
    assertChainMatchesSameDiff(m, 2 * 11 * 10, true);
  }

  /**
   * A unit-stride convolution as large as its input (dilated across) lays its
   * columns out by shifted copies and gets its input gradient by the flipped kernel; a 1×1 convolution
   * with unit stride reads its input as its columns; both add a bias.
   */
  @Test
  void pointwiseAndBiasedConvolutionsMatchSameDiff() {
    TestGraph t = new TestGraph("pointwise", 10);
    String x = t.input("x", 3, 6, 5);
    t.weight("cw", 0.4, 4, 3, 3, 3);
    t.weight("cb", 0.2, 4);
    t.node("Conv", List.of(x, "cw", "cb"), "c").addAttribute(ints("pads", 1, 2, 1, 2))
        .addAttribute(ints("dilations", 1, 2));
    t.node("Relu", List.of("c"), "r");
    t.weight("pw", 0.5, 6, 4, 1, 1);
    t.weight("pb", 0.2, 6);
    t.node("Conv", List.of("r", "pw", "pb"), "q");
    t.node("Relu", List.of("q"), "s");
    t.node("Flatten", List.of("s"), "f");
    t.weight("gw", 0.3, 5, 6 * 6 * 5);
    t.node("Gemm", List.of("f", "gw"), "logits").addAttribute(i("transB", 1));
    Onnx.ModelProto m = t.build("logits");
    assertChainMatchesSameDiff(m, 3 * 6 * 5, false);
    assertChainMatchesSameDiff(m, 3 * 6 * 5, true);
  }

  /**
   * Convolutions take examples in groups whose input columns fit about 512 KB: 18 × 1,600 floats an
   * example gives groups of 4 here and 36 × 400 groups of 9, each with a short last group of the 19 rows.
   */
  @Test
  void convolutionsOverGroupsWithAShortLastGroupMatchSameDiff() {
    TestGraph t = new TestGraph("groups", 11);
    String x = t.input("x", 2, 40, 40);
    t.weight("aw", 0.3, 4, 2, 3, 3);
    t.node("Conv", List.of(x, "aw"), "a").addAttribute(ints("pads", 1, 1, 1, 1));
    t.node("Relu", List.of("a"), "ar");
    t.weight("bw", 0.3, 6, 4, 3, 3);
    t.node("Conv", List.of("ar", "bw"), "b").addAttribute(ints("pads", 1, 1, 1, 1)).addAttribute(ints("strides", 2, 2));
    t.node("Relu", List.of("b"), "br");
    t.node("Flatten", List.of("br"), "f");
    t.weight("gw", 0.05, 5, 6 * 20 * 20);
    t.node("Gemm", List.of("f", "gw"), "logits").addAttribute(i("transB", 1));
    assertChainMatchesSameDiff(t.build("logits"), 2 * 40 * 40, false);
  }

  /** BatchNorm on batch statistics (which the kernels also report for the running-statistics update). */
  @Test
  void vggSmallMatchesSameDiff() {
    Onnx.ModelProto m = withBatchNormStatistics(Architecture.VGG_SMALL.build(new int[] {2, 12, 12}, 10, 6), 21);
    assertChainMatchesSameDiff(m, 2 * 12 * 12, false);
  }

  /** Residual joins (identity and 1×1-conv shortcuts), BatchNorm and global average pooling. */
  @Test
  void resnet20MatchesSameDiff() {
    Onnx.ModelProto m = withBatchNormStatistics(Architecture.RESNET20.build(new int[] {2, 12, 12}, 10, 7), 22);
    assertChainMatchesSameDiff(m, 2 * 12 * 12, true);
  }

  /** In inference mode BatchNorm uses its running statistics, as ONNX Runtime does. */
  @Test
  void resnet20InInferenceModeMatchesOnnxRuntimeAndSameDiff() throws Exception {
    Onnx.ModelProto m = withBatchNormStatistics(Architecture.RESNET20.build(new int[] {2, 12, 12}, 10, 8), 23);
    TrainingGraph chain = build(m, GraphMode.INFERENCE);
    assertTrue(chain.usesChainKernels());
    int n = 7;
    float[] x = new float[n * 2 * 12 * 12];
    SplittableRandom rng = new SplittableRandom(14);
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) rng.nextDouble(-1, 1);
    }
    float[] got = chain.logits(x, n);
    assertClose(OrtReference.run(m.toByteArray(), x, new long[] {n, 2, 12, 12}), got, "logits against ONNX Runtime");
    assertClose(build(m, GraphMode.INFERENCE).sameDiffOnly().logits(x, n), got, "logits against SameDiff");
    assertChainMatchesSameDiff(m, GraphMode.INFERENCE, 2 * 12 * 12, false);
  }

  /** Both branches of a join read the same tensor, which an in-place ReLU on one of them must not overwrite. */
  @Test
  void aTensorReadTwiceSurvivesAnInPlaceReluOnOneBranch() {
    TestGraph t = new TestGraph("fork", 9);
    String x = t.input("x", 6);
    t.weight("w", 0.5, 6, 6);
    t.node("Gemm", List.of(x, "w"), "h").addAttribute(i("transB", 1));
    t.node("Relu", List.of("h"), "r");
    t.node("Add", List.of("r", "h"), "s");
    t.weight("w2", 0.5, 4, 6);
    t.node("Gemm", List.of("s", "w2"), "out").addAttribute(i("transB", 1));
    assertChainMatchesSameDiff(t.build("out"), 6, false);
  }

  @Test
  void graphsOutsideTheKernelsTrainOnSameDiff() {
    TestGraph t = new TestGraph("sigmoid", 6);
    String x = t.input("x", 6);
    t.weight("w", 0.3, 4, 6);
    t.node("Gemm", List.of(x, "w"), "z").addAttribute(i("transB", 1));
    t.node("Sigmoid", List.of("z"), "s");
    t.weight("w2", 0.3, 3, 4);
    t.node("Gemm", List.of("s", "w2"), "out").addAttribute(i("transB", 1));
    assertFalse(build(t.build("out")).usesChainKernels(), "Sigmoid");
    // Flatten(axis=2) folds the channels into the rows: [N, 2, 3, 4] → [2N, 12].
    TestGraph f = new TestGraph("flatten2", 7);
    String x2 = f.input("x", 2, 3, 4);
    f.node("Flatten", List.of(x2), "rows").addAttribute(i("axis", 2));
    f.weight("w3", 0.3, 5, 12);
    f.node("Gemm", List.of("rows", "w3"), "out").addAttribute(i("transB", 1));
    assertFalse(build(f.build("out")).usesChainKernels(), "Flatten that folds the batch");
  }

  private static TrainingGraph build(Onnx.ModelProto m) {
    return build(m, GraphMode.TRAINING);
  }

  private static TrainingGraph build(Onnx.ModelProto m, GraphMode mode) {
    return new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(BatchNormWeights.runningStatistics(m)), mode)
        .build();
  }

  /**
   * The model with random BatchNorm scales, biases and running statistics (the builder's are 1, 0, 0
   * and 1, under which inference-mode BatchNorm is nearly the identity).
   */
  static Onnx.ModelProto withBatchNormStatistics(Onnx.ModelProto m, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    java.util.Set<String> bn = new java.util.HashSet<>();
    for (Onnx.NodeProto n : m.getGraph().getNodeList()) {
      if (n.getOpType().equals("BatchNormalization")) {
        bn.addAll(n.getInputList().subList(1, 5));
      }
    }
    Onnx.ModelProto.Builder b = m.toBuilder();
    for (Onnx.TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
      if (bn.contains(t.getName())) {
        java.nio.ByteBuffer v = java.nio.ByteBuffer.allocate(t.getRawData().size()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        boolean positive = t.getName().endsWith(".running_var") || t.getName().endsWith(".weight");
        while (v.hasRemaining()) {
          v.putFloat((float) (positive ? rng.nextDouble(0.5, 1.5) : rng.nextDouble(-0.3, 0.3)));
        }
        t.setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(v.array()));
      }
    }
    return b.build();
  }

  private static void assertChainMatchesSameDiff(Onnx.ModelProto m, int inputSize, boolean softTargets) {
    assertChainMatchesSameDiff(m, GraphMode.TRAINING, inputSize, softTargets);
  }

  private static void assertChainMatchesSameDiff(Onnx.ModelProto m, GraphMode mode, int inputSize,
      boolean softTargets) {
    TrainingGraph chain = build(m, mode);
    TrainingGraph reference = build(m, mode).sameDiffOnly();
    assertTrue(chain.usesChainKernels());
    assertFalse(reference.usesChainKernels());
    ParameterValues p = chain.values();
    chain.setValues(p);
    reference.setValues(p);
    SplittableRandom rng = new SplittableRandom(softTargets ? 11 : 12);
    float[] x = new float[BATCH * inputSize];
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) rng.nextDouble(-1, 1);
    }
    int classes = chain.imported().numClasses();
    int[] y = new int[BATCH];
    float[] targets = softTargets ? new float[BATCH * classes] : null;
    for (int e = 0; e < BATCH; e++) {
      y[e] = rng.nextInt(classes);
      if (softTargets) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          targets[e * classes + c] = (float) rng.nextDouble();
          sum += targets[e * classes + c];
        }
        for (int c = 0; c < classes; c++) {
          targets[e * classes + c] /= (float) sum;
        }
      }
    }
    assertClose(reference.logits(x, BATCH), chain.logits(x, BATCH), "logits");
    ChunkGradient want = reference.gradient(x, y, targets, BATCH);
    ChunkGradient first = chain.gradient(x, y, targets, BATCH);
    // Again on the same buffers, which the first backward pass filled with gradients: the same bytes.
    ChunkGradient got = chain.gradient(x, y, targets, BATCH);
    for (int k = 0; k < got.gradients().length; k++) {
      assertArrayEquals(first.gradients()[k], got.gradients()[k], chain.trainable().get(k) + " on a second call");
    }
    assertEquals(want.lossSum(), got.lossSum(), 1e-4 * Math.abs(want.lossSum()), "loss");
    assertEquals(want.correct(), got.correct(), "correct");
    assertEquals(want.gradients().length, got.gradients().length);
    for (int k = 0; k < want.gradients().length; k++) {
      assertClose(want.gradients()[k], got.gradients()[k], chain.trainable().get(k));
    }
    assertEquals(want.batchStats().size(), got.batchStats().size(), "batch statistics");
    for (int k = 0; k < want.batchStats().size(); k++) {
      assertClose(want.batchStats().get(k), got.batchStats().get(k), "batch statistic " + k);
    }
  }

  /** Equal within 1e-4 of the reference's largest magnitude (float sums in another order). */
  private static void assertClose(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + " length");
    double scale = 0;
    for (float v : want) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 0, what + " is all zero, which tests nothing");
    assertArrayEquals(want, got, (float) (1e-4 * scale), what);
  }
}
