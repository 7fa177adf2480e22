package nnzip.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnzip.data.Dataset;
import nnzip.data.FashionMnistCache;
import onnx.Onnx;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlpOnnxExporterTest {

  /** Runs the model in ONNX Runtime on n rows of x; returns the flat [n, classes] logits. */
  static float[] runOnnx(byte[] model, float[] x, int n, int dim) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model, options);
          OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, dim});
          OrtSession.Result result = session.run(Map.of(MlpOnnxExporter.INPUT, input))) {
        FloatBuffer out = ((OnnxTensor) result.get(MlpOnnxExporter.OUTPUT).orElseThrow()).getFloatBuffer();
        float[] logits = new float[out.remaining()];
        out.get(logits);
        return logits;
      }
    }
  }

  @Test
  void theModelDeclaresIr8Opset13AndPyTorchStyleGemmNodes() throws Exception {
    Mlp mlp = MlpTest.randomMlp(1, 784, 16, 8, 10);
    Onnx.ModelProto model = Onnx.ModelProto.parseFrom(MlpOnnxExporter.toBytes(mlp));
    assertEquals(8, model.getIrVersion());
    assertEquals(1, model.getOpsetImportCount());
    assertEquals("", model.getOpsetImport(0).getDomain());
    assertEquals(13, model.getOpsetImport(0).getVersion());
    Onnx.GraphProto g = model.getGraph();
    assertEquals("input", g.getInput(0).getName());
    Onnx.TensorShapeProto in = g.getInput(0).getType().getTensorType().getShape();
    assertEquals("N", in.getDim(0).getDimParam());
    assertEquals(784, in.getDim(1).getDimValue());
    assertEquals("logits", g.getOutput(0).getName());
    assertEquals(10, g.getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
    assertEquals(List.of("Gemm", "Relu", "Gemm", "Relu", "Gemm"),
        g.getNodeList().stream().map(Onnx.NodeProto::getOpType).toList());
    Onnx.NodeProto gemm = g.getNode(0);
    assertEquals(List.of("input", "fc1.weight", "fc1.bias"), gemm.getInputList());
    assertEquals("transB", gemm.getAttribute(0).getName());
    assertEquals(1, gemm.getAttribute(0).getI());
    assertEquals(List.copyOf(mlp.toTensors().keySet()),
        g.getInitializerList().stream().map(Onnx.TensorProto::getName).toList());
    Onnx.TensorProto w2 = g.getInitializer(2);
    assertEquals(List.of(8L, 16L), w2.getDimsList());
    float[] stored = new float[8 * 16];
    ByteBuffer.wrap(w2.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(stored);
    assertArrayEquals(mlp.layers().get(1).weight(), stored);
  }

  @Test
  void onnxRuntimeAgreesWithTheTrainedMlpOnTheTestSet() throws Exception {
    Mlp mlp = TrainedFixture.mlp();
    Dataset test = FashionMnistCache.test();
    float[] ort = runOnnx(MlpOnnxExporter.toBytes(mlp), test.features(), test.n(), test.dim());
    float[] ours = mlp.logits(test.features(), test.n());
    assertEquals(ours.length, ort.length);
    double maxDiff = 0;
    for (int i = 0; i < ours.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ort[i]));
    }
    assertTrue(maxDiff < 1e-4, "max logit difference " + maxDiff);
    int[] predicted = mlp.predict(test.features(), test.n());
    int agree = 0;
    for (int r = 0; r < test.n(); r++) {
      int best = 0;
      for (int j = 1; j < 10; j++) {
        if (ort[r * 10 + j] > ort[r * 10 + best]) {
          best = j;
        }
      }
      agree += best == predicted[r] ? 1 : 0;
    }
    assertTrue(agree >= 9990, agree + " of 10000 predictions agree");
  }

  @Test
  void onnxRuntimeAppliesEveryLayerAndBiasOfADeeperModel() throws Exception {
    Mlp mlp = MlpTest.randomMlp(2, 20, 16, 12, 8, 4);
    float[] x = MlpTest.randomInput(3, 64, 20);
    float[] ort = runOnnx(MlpOnnxExporter.toBytes(mlp), x, 64, 20);
    double[] ref = MlpTest.naiveLogits(mlp, x, 64);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], ort[i], 1e-5 * (1 + Math.abs(ref[i])), "logit " + i);
    }
  }

  @Test
  void writesTheSameBytesToAHadoopPath(@TempDir Path dir) throws Exception {
    Mlp mlp = MlpTest.randomMlp(4, 10, 5, 3);
    Path file = dir.resolve("mlp.onnx");
    MlpOnnxExporter.write(mlp, new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false));
    assertArrayEquals(MlpOnnxExporter.toBytes(mlp), Files.readAllBytes(file));
  }
}
