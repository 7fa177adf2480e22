package nnzip.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import nnzip.model.Architecture;
import onnx.Onnx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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
}
