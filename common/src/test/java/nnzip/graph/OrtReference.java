package nnzip.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs a model in ONNX Runtime (one thread), the independent reference for the importer. */
public final class OrtReference {
  private OrtReference() {}

  /** A FLOAT tensor: its shape and row-major values. */
  public record Tensor(long[] shape, float[] values) {}

  /** The first output for one FLOAT input of the given shape. */
  public static float[] run(byte[] model, float[] x, long[] shape) throws Exception {
    return runShaped(model, x, shape).values();
  }

  /** The first output, with its shape, for one FLOAT input of the given shape. */
  public static Tensor runShaped(byte[] model, float[] x, long[] shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
      try (OrtSession s = env.createSession(model, o);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
        OnnxTensor t = (OnnxTensor) r.get(0);
        FloatBuffer out = t.getFloatBuffer();
        float[] v = new float[out.remaining()];
        out.get(v);
        return new Tensor(t.getInfo().getShape(), v);
      }
    }
  }
}
