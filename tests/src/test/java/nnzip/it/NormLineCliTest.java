package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.cli.Main;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.subspace.Dialer;
import nnzip.subspace.Line;
import nnzip.subspace.LineDescriptor;
import nnzip.train.GraphSetup;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --subspace structured} on a Conv–BatchNorm–ReLU network (vgg-small) end to end: the
 * line keeps BatchNorm statistics per α (five anchors), {@code dial} and the device dialer write the
 * same bytes, the dialed points run in ONNX Runtime with nnzip's own forward's logits, and their
 * statistics are the norm line's at α, sliced to the kept channels.
 */
class NormLineCliTest {
  @TempDir static Path dir;
  static Path artifact;

  private static DeviceDialerTest.Run run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new DeviceDialerTest.Run(code, err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void trainALineOfABatchNormNetwork() {
    artifact = dir.resolve("bn.nnz.safetensors");
    DeviceDialerTest.Run r = run("train", "--arch", "vgg-small", "--subspace", "structured", "--data", "fashion-mnist",
        "--out", artifact.toString(), "--set", "subspace.epochs=1", "--set", "finetune.examples=256", "--master",
        "local[1]");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.err().contains("4 BatchNorm nodes, statistics per alpha at 5 anchors"), r.err());
  }

  @Test
  void dialedPointsCarryTheirStatisticsRunInOnnxRuntimeAndMatchTheDeviceDialer() throws Exception {
    Line line = Dialer.open(Artifact.open(HadoopFiles.fileSystem(artifact.toString()),
        HadoopFiles.qualify(artifact.toString())));
    assertEquals(LineDescriptor.NORM_VERSION, line.descriptor().version());
    assertEquals(8, line.norms().statistics().size());
    // Every anchor started at mean 0 (both initializations'); training moved some.
    assertTrue(Arrays.stream(line.norms().statistics().get("features.bn4.running_mean"))
        .anyMatch(m -> !Arrays.equals(m, new float[m.length])));
    Dataset test = DataRef.standard("fashion-mnist", 0.1, 0).load().test();
    int n = 8;
    float[] x = Arrays.copyOf(test.features(), n * test.dim());
    for (String alpha : new String[] {"0", "0.3", "1"}) {
      Path byDial = dir.resolve("bn-" + alpha + ".dial.onnx");
      Path byDevice = dir.resolve("bn-" + alpha + ".device.onnx");
      DeviceDialerTest.Run d = run("dial", "--in", artifact.toString(), "--alpha", alpha, "--out", byDial.toString());
      assertEquals(Main.OK, d.code(), d.err());
      DeviceDialerTest.Run r = DeviceDialerTest.device(artifact.toString(), alpha, byDevice.toString());
      assertEquals(0, r.code(), r.err());
      byte[] model = Files.readAllBytes(byDial);
      assertArrayEquals(model, Files.readAllBytes(byDevice), "alpha " + alpha);

      ModelProto m = ModelProto.parseFrom(model);
      Map<String, float[]> stats = line.norms().at(Float.parseFloat(alpha));
      for (String key : stats.keySet()) {
        float[] got = floats(m, key);
        assertArrayEquals(Arrays.copyOf(stats.get(key), got.length), got, key + " at alpha " + alpha);
      }
      float[] jvm = new GraphSetup(model, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build().logits(x, n);
      float[] ort = SubspaceCliTest.ort(model, x, new long[] {n, 1, 28, 28});
      assertEquals(jvm.length, ort.length);
      for (int i = 0; i < ort.length; i++) {
        assertEquals(ort[i], jvm[i], 1e-4 * Math.max(1, Math.abs(ort[i])), "alpha " + alpha + " logit " + i);
      }
    }
  }

  private static float[] floats(ModelProto m, String name) {
    for (TensorProto t : m.getGraph().getInitializerList()) {
      if (t.getName().equals(name)) {
        float[] v = new float[t.getRawData().size() / 4];
        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
      }
    }
    throw new AssertionError("no initializer " + name);
  }
}
