package nnzip.subspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxProto;
import nnzip.model.Architecture;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/**
 * A structured line started from a model reordered by importance: its narrowest point, before any
 * training, is the model with each layer's lowest-L1 channels removed, sliced here by hand.
 */
class ChannelOrderTest {

  /** lenet5 on 28×28 with random weights (no ties among the filters' L1 norms). */
  private static ModelProto model() {
    ModelProto m = Architecture.LENET5.build(new int[] {1, 28, 28}, 10, 1);
    ModelProto.Builder b = m.toBuilder();
    SplittableRandom r = new SplittableRandom(5);
    for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
      float[] v = new float[t.getRawData().size() / 4];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * 0.2);
      }
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      bb.asFloatBuffer().put(v);
      t.setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(bb.array()));
    }
    return b.build();
  }

  @Test
  void narrowestPointOfAnUntrainedLineIsTheModelWithoutItsLowestL1Channels() throws Exception {
    ModelProto m = model();
    byte[] ordered = ChannelOrder.IMPORTANCE.apply(m.toByteArray(), SubspaceKind.STRUCTURED);
    ModelProto o = OnnxModelFile.parse(ordered, "ordered");
    Map<String, float[]> w = LineTest.weights(o);
    LineDescriptor d = new LineDescriptor(LineDescriptor.VERSION, SubspaceKind.STRUCTURED,
        List.of(new LineDescriptor.Point(0, 0.5), new LineDescriptor.Point(1, 0.9)));
    byte[] stored = Line.toOnnx(OnnxProto.Model.parse(ordered, "line"), w, w, d).toByteArray();
    Map<String, float[]> got = LineTest.weights(OnnxModelFile.parse(
        Line.of(OnnxProto.Model.parse(stored, "line"), "line").dial(0), "dialed"));

    Map<String, float[]> orig = LineTest.weights(m);
    // Each layer's filters by decreasing Σ|w| of the original, the best quarter (width 0.25) kept.
    int[] c1 = best(orig.get("conv1.weight"), 20, 5);
    int[] c2 = best(orig.get("conv2.weight"), 50, 13);
    int[] f1 = best(orig.get("fc1.weight"), 500, 125);
    int[] f1in = new int[c2.length * 16]; // fc1 reads conv2's channels flattened, 4×4 each
    for (int i = 0; i < c2.length; i++) {
      for (int z = 0; z < 16; z++) {
        f1in[i * 16 + z] = c2[i] * 16 + z;
      }
    }
    int[] all10 = java.util.stream.IntStream.range(0, 10).toArray();
    int[] one = {0};
    assertArrayEquals(slice(orig.get("conv1.weight"), 20, 1, 25, c1, one), got.get("conv1.weight"));
    assertArrayEquals(slice(orig.get("conv1.bias"), 20, 1, 1, c1, one), got.get("conv1.bias"));
    assertArrayEquals(slice(orig.get("conv2.weight"), 50, 20, 25, c2, c1), got.get("conv2.weight"));
    assertArrayEquals(slice(orig.get("conv2.bias"), 50, 1, 1, c2, one), got.get("conv2.bias"));
    assertArrayEquals(slice(orig.get("fc1.weight"), 500, 800, 1, f1, f1in), got.get("fc1.weight"));
    assertArrayEquals(slice(orig.get("fc1.bias"), 500, 1, 1, f1, one), got.get("fc1.bias"));
    assertArrayEquals(slice(orig.get("fc2.weight"), 10, 500, 1, all10, f1), got.get("fc2.weight"));
    assertArrayEquals(orig.get("fc2.bias"), got.get("fc2.bias"));
    assertEquals(8, got.size());
  }

  @Test
  void onlyStructuredLinesAreReorderedAndTheGivenOrderIsKept() {
    byte[] b = model().toByteArray();
    assertSame(b, ChannelOrder.GIVEN.apply(b, SubspaceKind.STRUCTURED));
    assertSame(b, ChannelOrder.IMPORTANCE.apply(b, SubspaceKind.BITS));
    assertSame(b, ChannelOrder.IMPORTANCE.apply(b, SubspaceKind.UNSTRUCTURED));
    assertArrayEquals(ChannelOrder.IMPORTANCE.apply(b, SubspaceKind.STRUCTURED),
        ChannelOrder.IMPORTANCE.apply(b, SubspaceKind.STRUCTURED), "deterministic");
    assertEquals(ChannelOrder.IMPORTANCE, ChannelOrder.parse(" Importance"));
    assertThrows(IllegalArgumentException.class, () -> ChannelOrder.parse("l2"));
  }

  /** The k rows of a [rows, …] weight with the largest Σ|w|, best first. */
  private static int[] best(float[] w, int rows, int k) {
    int per = w.length / rows;
    double[] s = new double[rows];
    for (int i = 0; i < w.length; i++) {
      s[i / per] += Math.abs(w[i]);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(s[b], s[a]));
    return order.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
  }

  /** w[out][in][inner] with the listed outputs and inputs, in the listed order. */
  private static float[] slice(float[] w, int out, int in, int inner, int[] outs, int[] ins) {
    assertEquals(out * in * inner, w.length);
    float[] r = new float[outs.length * ins.length * inner];
    int p = 0;
    for (int o : outs) {
      for (int i : ins) {
        for (int z = 0; z < inner; z++) {
          r[p++] = w[(o * in + i) * inner + z];
        }
      }
    }
    return r;
  }
}
