package nnzip.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import nnzip.model.Architecture;
import onnx.Onnx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every reference architecture, imported by nnzip, computes what ONNX Runtime computes. */
class ArchitectureImportTest {
  @ParameterizedTest
  @EnumSource(Architecture.class)
  void importedArchitectureMatchesOnnxRuntime(Architecture arch) throws Exception {
    Onnx.ModelProto model = arch.build(new int[] {1, 28, 28}, 10, 7);
    int n = 3;
    float[] x = new float[n * 784];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    float[] ort = OrtReference.run(model.toByteArray(), x, new long[] {n, 1, 28, 28});
    ImportedGraph g = OnnxGraphImporter.load(model, WeightBinder.CONSTANTS, GraphMode.INFERENCE);
    assertEquals(10, g.numClasses());
    float[] ours = g.sd().output(Map.of(g.input(), Nd4j.create(x, new long[] {n, 1, 28, 28}, 'c')), g.output())
        .get(g.output()).dup('c').data().asFloat();
    assertEquals(ort.length, ours.length);
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < ort.length; i++) {
      assertTrue(Float.isFinite(ours[i]));
      scale = Math.max(scale, Math.abs(ort[i]));
      diff = Math.max(diff, Math.abs(ort[i] - ours[i]));
    }
    assertTrue(diff <= 1e-4 * Math.max(1, scale), arch + ": max difference " + diff + " at scale " + scale);
  }

  @ParameterizedTest
  @EnumSource(Architecture.class)
  void everyArchitectureHasFiniteGradientsInTrainingMode(Architecture arch) {
    assertFiniteGradients(arch, GraphMode.TRAINING);
  }

  /** Finetuning with frozen BatchNorm statistics differentiates inference-mode graphs. */
  @ParameterizedTest
  @EnumSource(Architecture.class)
  void everyArchitectureHasFiniteGradientsInInferenceMode(Architecture arch) {
    assertFiniteGradients(arch, GraphMode.INFERENCE);
  }

  /** Every trainable weight gets a finite gradient of its shape from a summed cross-entropy. */
  private static void assertFiniteGradients(Architecture arch, GraphMode mode) {
    Onnx.ModelProto model = arch.build(new int[] {1, 28, 28}, 10, 7);
    Set<String> frozen = BatchNormWeights.runningStatistics(model);
    WeightBinder binder = (sd, key, value) -> frozen.contains(key) ? WeightBinder.CONSTANTS.bind(sd, key, value)
        : WeightBinder.VARIABLES.bind(sd, key, value);
    ImportedGraph g = OnnxGraphImporter.load(model, binder, mode);
    SameDiff sd = g.sd();
    SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 10);
    sd.loss().softmaxCrossEntropy("loss", label, sd.getVariable(g.logits()), null, LossReduce.SUM, 0.0);
    sd.setLossVariables("loss");
    int n = 2;
    SplittableRandom rng = new SplittableRandom(2);
    float[] x = new float[n * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    float[] y = new float[n * 10];
    y[3] = 1;
    y[10 + 7] = 1;
    List<String> trainable = g.weights().stream().filter(k -> !frozen.contains(k))
        .map(OnnxGraphImporter::variableName).toList();
    Map<String, INDArray> grads = sd.calculateGradients(Map.of(g.input(),
        Nd4j.create(x, new long[] {n, 1, 28, 28}, 'c'), "label", Nd4j.create(y, new long[] {n, 10}, 'c')), trainable);
    assertEquals(mode == GraphMode.TRAINING ? frozen.size() / 2 : 0, g.batchNorms().size(), arch.toString());
    for (String w : trainable) {
      INDArray grad = grads.get(w);
      assertTrue(grad != null, arch + ": no gradient for " + w);
      assertArrayEquals(sd.getVariable(w).getArr().shape(), grad.shape(), arch + ": " + w);
      for (float v : grad.dup('c').data().asFloat()) {
        assertTrue(Float.isFinite(v), arch + ": " + w);
      }
    }
  }
}
