package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import nnzip.data.Dataset;
import nnzip.graph.GraphMode;
import nnzip.train.BatchNormRecalibration;
import nnzip.train.GraphSetup;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm recalibration against a brute-force reference: the pooled statistics of several
 * chunks (the last one short) equal each channel's mean and biased variance over all examples and
 * positions, computed here directly from the input; the second node's from ONNX Runtime's output of
 * the layer before it.
 */
class BatchNormRecalibrationTest {

  @Test
  void pooledChunkStatisticsEqualTheWholeSetsStatistics() throws Exception {
    int count = 300;
    Net n = new Net(41, 3, 4, 4);
    String c = n.conv("x", "c", 3, 3, 3, 1, true);
    String b1 = n.op("Relu", n.batchNorm("x", "bn1", 3));
    String b2 = n.op("Relu", n.batchNorm(c, "bn2", 3));
    ModelProto m = n.finish(n.gemm(n.op("Flatten", n.op("Add", b1, b2)), "g", 48, 4), 4);
    Net h = new Net(41, 3, 4, 4); // the same seed draws conv c's weights first, as above
    ModelProto head = h.finish(h.conv("x", "c", 3, 3, 3, 1, true), 3, 4, 4);
    float[] x = Net.randomInput(42, count * 48);
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] * (1 + (i / 16) % 3) + (i / 16) % 3; // channel k: mean k, scale k + 1
    }
    Dataset data = new Dataset(x, new int[count], count, 48, 4);
    // 300 examples: chunks of 128, 128 and 44, pooled.
    Map<String, float[]> stats = BatchNormRecalibration.estimate(new GraphSetup(m.toByteArray(),
        WeightPlan.allTrainable(Set.of("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var")),
        GraphMode.TRAINING).build(), data, count);
    assertEquals(Set.of("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"), stats.keySet());
    double[][] ref = channelStats(x, count, 3, 16);
    assertArrayClose(ref[0], stats.get("bn1.running_mean"));
    assertArrayClose(ref[1], stats.get("bn1.running_var"));
    double[][] ref2 = channelStats(Net.run(head.toByteArray(), x, count, 3, 4, 4), count, 3, 16);
    assertArrayClose(ref2[0], stats.get("bn2.running_mean"));
    assertArrayClose(ref2[1], stats.get("bn2.running_var"));
    // Fewer examples than given: only the first ones count.
    Map<String, float[]> first = BatchNormRecalibration.estimate(new GraphSetup(m.toByteArray(),
        WeightPlan.allTrainable(stats.keySet()), GraphMode.TRAINING).build(), data, 100);
    assertArrayClose(channelStats(java.util.Arrays.copyOf(x, 100 * 48), 100, 3, 16)[1], first.get("bn1.running_var"));
  }

  private static double[][] channelStats(float[] v, int count, int channels, int positions) {
    double[][] s = new double[2][channels];
    for (int i = 0; i < v.length; i++) {
      int ch = (i / positions) % channels;
      s[0][ch] += v[i];
      s[1][ch] += (double) v[i] * v[i];
    }
    double per = (double) count * positions;
    for (int ch = 0; ch < channels; ch++) {
      s[0][ch] /= per;
      s[1][ch] = s[1][ch] / per - s[0][ch] * s[0][ch];
    }
    return s;
  }

  private static void assertArrayClose(double[] expected, float[] got) {
    assertEquals(expected.length, got.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], got[i], 1e-4 * (1 + Math.abs(expected[i])), "channel " + i);
    }
  }
}
