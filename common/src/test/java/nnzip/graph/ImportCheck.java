package nnzip.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a model in ONNX Runtime and imported into SameDiff on the same random input, and compares. */
final class ImportCheck {
  private ImportCheck() {}

  /**
   * Asserts that the imported graph's output equals ONNX Runtime's within 1e-4 of the output's
   * scale (at least 1), shape included, on a random N(0, 1) input of {@code shape}.
   *
   * @return the imported graph, for further checks
   */
  static ImportedGraph assertMatchesOrt(Onnx.ModelProto model, long... shape) throws Exception {
    return assertMatchesOrt(model, WeightBinder.CONSTANTS, shape);
  }

  /** As {@link #assertMatchesOrt(Onnx.ModelProto, long...)}, with weights bound by {@code binder}. */
  static ImportedGraph assertMatchesOrt(Onnx.ModelProto model, WeightBinder binder, long... shape) throws Exception {
    float[] x = new float[TestGraph.count(shape)];
    SplittableRandom rng = new SplittableRandom(42);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    OrtReference.Tensor ort = OrtReference.runShaped(model.toByteArray(), x, shape);
    ImportedGraph g = OnnxGraphImporter.load(model, binder, GraphMode.INFERENCE);
    INDArray out = g.sd().output(Map.of(g.input(), Nd4j.create(x, shape, 'c')), g.output()).get(g.output());
    String what = model.getGraph().getName();
    assertArrayEquals(ort.shape(), out.shape(), what + ": output shape");
    float[] ours = out.dup('c').data().asFloat();
    assertEquals(ort.values().length, ours.length);
    double scale = 1;
    double diff = 0;
    for (int i = 0; i < ours.length; i++) {
      assertTrue(Float.isFinite(ours[i]), what + ": non-finite output at " + i);
      scale = Math.max(scale, Math.abs(ort.values()[i]));
      diff = Math.max(diff, Math.abs(ort.values()[i] - ours[i]));
    }
    assertTrue(diff <= 1e-4 * scale, what + ": max difference " + diff + " at scale " + scale);
    return g;
  }
}
