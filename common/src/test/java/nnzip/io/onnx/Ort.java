package nnzip.io.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime as the independent reference: runs a model on one float input and boolean flags. */
final class Ort {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  private Ort() {}

  /** Runs serialized model bytes; flags feed inputs c1, c2, … in order. */
  static float[] run(byte[] model, float[] x, long[] shape, boolean... flags) throws OrtException {
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        OrtSession s = ENV.createSession(model, opts)) {
      return run(s, x, shape, flags);
    }
  }

  /** Runs a model file, so that its external data resolves against the file's directory. */
  static float[] runFile(String path, float[] x, long[] shape, boolean... flags) throws OrtException {
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        OrtSession s = ENV.createSession(path, opts)) {
      return run(s, x, shape, flags);
    }
  }

  private static float[] run(OrtSession s, float[] x, long[] shape, boolean... flags) throws OrtException {
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    try {
      in.put("X", OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), shape));
      for (int i = 0; i < flags.length; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(1).put(0, (byte) (flags[i] ? 1 : 0));
        in.put("c" + (i + 1), OnnxTensor.createTensor(ENV, b, new long[0], OnnxJavaType.BOOL));
      }
      try (OrtSession.Result r = s.run(in)) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] y = new float[out.remaining()];
        out.get(y);
        return y;
      }
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }
}
