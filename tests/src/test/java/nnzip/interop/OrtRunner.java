package nnzip.interop;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime (CPU), the independent reference: runs a model file on one float input and returns its
 * first output. Same settings for every model (2 intra-op threads, default graph optimizations), so
 * two models with identical graphs and weights give bitwise identical outputs.
 */
final class OrtRunner {
  private OrtRunner() {}

  /** A float tensor: row-major values and their shape. */
  record Output(long[] shape, float[] values) {}

  static Output run(Path model, float[] input, long[] shape) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      opts.setInterOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), opts);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
          OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
        OnnxTensor y = (OnnxTensor) r.get(0);
        FloatBuffer fb = y.getFloatBuffer();
        float[] values = new float[fb.remaining()];
        fb.get(values);
        return new Output(y.getInfo().getShape(), values);
      }
    }
  }
}
