package nnzip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnzip.data.Dataset;
import nnzip.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo command as a new user runs it: it trains a real model on real data, compresses
 * it, and reports accuracy before and after. The restored ONNX model it writes is checked with ONNX
 * Runtime, an implementation independent of nnzip's own forward pass.
 */
class DemoTest {
  private static final Pattern ACCURACY =
      Pattern.compile("original ([0-9.]+)%, from artifact ([0-9.]+)%");

  @Test
  void demoTrainsCompressesAndReportsAccuracyThatOnnxRuntimeConfirms(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("out");
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("nnzip.launcher"), "demo", "--epochs", "1",
        "--out-dir", outDir.toString());
    pb.environment().put("NNZIP_CACHE", dir.resolve("cache").toString());
    pb.redirectOutput(dir.resolve("demo.out").toFile());
    pb.redirectError(dir.resolve("demo.err").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "demo finished in time");
    String out = Files.readString(dir.resolve("demo.out"));
    assertEquals(0, p.exitValue(), out + Files.readString(dir.resolve("demo.err")));

    assertTrue(out.contains("fc1.weight") && out.contains("ratio"), out);
    Matcher m = ACCURACY.matcher(out);
    assertTrue(m.find(), out);
    double before = Double.parseDouble(m.group(1)) / 100;
    double after = Double.parseDouble(m.group(2)) / 100;
    assertTrue(before > 0.75, "one epoch on Fashion-MNIST learns well above chance: " + before);

    Path restored = outDir.resolve("fashion-mlp.restored.onnx");
    Dataset test = FashionMnist.test();
    // Tolerance: the printed figure is rounded to 0.005 pp, and float summation order may flip at
    // most a borderline image or so between the two implementations (1 image = 0.01 pp).
    assertEquals(after, onnxRuntimeAccuracy(restored, test), 0.00025,
        "ONNX Runtime on the restored model agrees with the accuracy printed from the artifact's weights");
  }

  static double onnxRuntimeAccuracy(Path model, Dataset data) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
        OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(data.features()),
            new long[] {data.n(), data.dim()});
        OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
      float[][] logits = (float[][]) result.get(0).getValue();
      int correct = 0;
      for (int i = 0; i < data.n(); i++) {
        int best = 0;
        for (int c = 1; c < logits[i].length; c++) {
          if (logits[i][c] > logits[i][best]) {
            best = c;
          }
        }
        correct += best == data.labels()[i] ? 1 : 0;
      }
      return (double) correct / data.n();
    }
  }
}
