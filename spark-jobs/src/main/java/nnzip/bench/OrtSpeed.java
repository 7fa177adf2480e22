package nnzip.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Inference latency of ONNX models in ONNX Runtime (CPU), the runtime a pruned model is shipped to:
 * the median over repeats of one {@code run} at a batch size, after warm-up, with the same session
 * settings for every model (one intra-op thread, so the figure is the work a model costs and not how
 * well it spreads over the machine's cores). ONNX Runtime is on the launcher's classpath but not in
 * the application jar (a cluster does not need it), hence the check in {@link #available}.
 */
public final class OrtSpeed {
  private OrtSpeed() {}

  /** Whether ONNX Runtime's Java API is on the classpath. */
  public static boolean available() {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, OrtSpeed.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Median milliseconds of one inference at each batch size.
   *
   * @param model the serialized ONNX model (one float input whose first dimension is the batch)
   * @param batches batch sizes
   * @param budgetSeconds time to spend per batch size (at least 5 timed runs each)
   * @return batch size → median milliseconds
   * @throws InvalidInputException if the model's input is not a float tensor with fixed dimensions
   *     after the batch
   */
  public static Map<Integer, Double> medianMillis(byte[] model, int[] batches, double budgetSeconds)
      throws OrtException {
    // ONNX Runtime's native start-up crashed the JVM (SIGSEGV) on the main thread's default stack once
    // the class path was long (the launcher's 230 jars); a thread of its own with a larger stack runs it.
    Object[] result = new Object[1];
    Thread t = new Thread(null, () -> {
      try {
        result[0] = time(model, batches, budgetSeconds);
      } catch (OrtException | RuntimeException e) {
        result[0] = e;
      }
    }, "nnzip-ort-timing", 64L << 20);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while timing in ONNX Runtime", e);
    }
    if (result[0] instanceof OrtException e) {
      throw e;
    }
    if (result[0] instanceof RuntimeException e) {
      throw e;
    }
    @SuppressWarnings("unchecked")
    Map<Integer, Double> millis = (Map<Integer, Double>) result[0];
    return millis;
  }

  private static Map<Integer, Double> time(byte[] model, int[] batches, double budgetSeconds) throws OrtException {
    long[] shape = inputShape(model);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<Integer, Double> out = new LinkedHashMap<>();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      opts.setInterOpNumThreads(1);
      try (OrtSession session = env.createSession(model, opts)) {
        String input = session.getInputNames().iterator().next();
        for (int batch : batches) {
          long[] s = shape.clone();
          s[0] = batch;
          float[] x = new float[Math.toIntExact(Arrays.stream(s).reduce(1, Math::multiplyExact))];
          SplittableRandom rng = new SplittableRandom(batch);
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
          }
          try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), s)) {
            out.put(batch, median(session, input, t, budgetSeconds));
          }
        }
      }
    }
    return out;
  }

  private static double median(OrtSession session, String input, OnnxTensor x, double budgetSeconds)
      throws OrtException {
    Map<String, OnnxTensor> feed = Map.of(input, x);
    long warmEnd = System.nanoTime() + (long) (0.2 * budgetSeconds * 1e9);
    do {
      session.run(feed).close();
    } while (System.nanoTime() < warmEnd);
    double[] times = new double[100_000];
    int n = 0;
    long end = System.nanoTime() + (long) (budgetSeconds * 1e9);
    while (n < times.length && (n < 5 || System.nanoTime() < end)) {
      long t0 = System.nanoTime();
      session.run(feed).close();
      times[n++] = (System.nanoTime() - t0) / 1e6;
    }
    double[] t = Arrays.copyOf(times, n);
    Arrays.sort(t);
    return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
  }

  /** The first input's shape, batch dimension set to 1. */
  private static long[] inputShape(byte[] model) {
    ModelProto m = nnzip.io.onnx.OnnxModelFile.parse(model, "the model to time");
    java.util.Set<String> weights = new java.util.HashSet<>();
    m.getGraph().getInitializerList().forEach(t -> weights.add(t.getName()));
    for (ValueInfoProto v : m.getGraph().getInputList()) {
      if (weights.contains(v.getName())) {
        continue;
      }
      if (v.getType().getTensorType().getElemType() != onnx.Onnx.TensorProto.DataType.FLOAT_VALUE) {
        throw new InvalidInputException("input '" + v.getName() + "' is not a float tensor");
      }
      TensorShapeProto s = v.getType().getTensorType().getShape();
      long[] shape = new long[s.getDimCount()];
      shape[0] = 1;
      for (int d = 1; d < shape.length; d++) {
        if (!s.getDim(d).hasDimValue()) {
          throw new InvalidInputException("input '" + v.getName() + "' has no fixed size in dimension " + d);
        }
        shape[d] = s.getDim(d).getDimValue();
      }
      return shape;
    }
    throw new InvalidInputException("the model has no input");
  }
}
