package nnzip.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.Progress;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.model.Architecture;
import nnzip.train.ChunkGradient;
import nnzip.train.GraphSetup;
import nnzip.train.Optimizer;
import nnzip.train.OptimizerState;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.WeightPlan;
import onnx.Onnx;

/**
 * Time per training step of nnzip's engine (forward + backward on the imported graph, by the
 * hand-written chain kernels where they cover the graph's layers, else SameDiff; Adam in Java)
 * and of SameDiff alone, against PyTorch on the same architecture, batch and thread count, measured in the same
 * run: the reference is {@code deploy/bench/torch_train_step.py} run as a child process. Each side
 * also reports the process's CPU time per step, which other jobs on a shared machine disturb less
 * than the wall time.
 */
public final class TrainBenchmark {
  private TrainBenchmark() {}

  /**
   * Median and mean milliseconds per step of nnzip's engine; random inputs outside the timing.
   *
   * @param sameDiffOnly time SameDiff's passes even where the hand-written chain kernels apply
   */
  public static Map<String, Object> nnzip(Architecture arch, int batch, int steps, int warmup, boolean sameDiffOnly) {
    Onnx.ModelProto m = arch.build(new int[] {1, 28, 28}, 10, 1);
    GraphSetup setup = new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(BatchNormWeights.runningStatistics(m)),
        GraphMode.TRAINING);
    TrainingGraph g = setup.build();
    if (sameDiffOnly) {
      g.sameDiffOnly();
    }
    ParameterValues p = g.values();
    OptimizerState state = OptimizerState.zeros(p.values());
    Optimizer adam = Optimizer.adam(1e-3);
    SplittableRandom rng = new SplittableRandom(1);
    double[] ms = new double[steps];
    double[] cpu = new double[steps];
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    for (int s = 0; s < warmup + steps; s++) {
      float[] x = new float[batch * 784];
      int[] y = new int[batch];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextDouble();
      }
      for (int i = 0; i < batch; i++) {
        y[i] = rng.nextInt(10);
      }
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      g.setValues(p);
      ChunkGradient grad = g.gradient(x, y, batch);
      float[][] mean = grad.gradients();
      for (float[] a : mean) {
        for (int i = 0; i < a.length; i++) {
          a[i] /= batch;
        }
      }
      adam.apply(p.values(), mean, state);
      if (s >= warmup) {
        ms[s - warmup] = (System.nanoTime() - t0) / 1e6;
        cpu[s - warmup] = (os.getProcessCpuTime() - c0) / 1e6;
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("ms_per_step_median", median(ms));
    r.put("ms_per_step_mean", Arrays.stream(ms).average().orElse(0));
    r.put("cpu_ms_per_step_median", median(cpu));
    r.put("parameters", p.count());
    r.put("engine", g.usesChainKernels() ? "chain kernels" : "samediff");
    return r;
  }

  /** The PyTorch reference's JSON, or an error entry when PyTorch is not installed. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> torch(String script, Architecture arch, int batch, int steps, int warmup,
      Progress progress) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("python3", script, "--arch", arch.cliName(), "--batch",
        Integer.toString(batch), "--threads", "1", "--steps", Integer.toString(steps), "--warmup",
        Integer.toString(warmup), "--json"));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
    String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = proc.waitFor();
    if (code != 0) {
      progress.report("PyTorch reference failed: " + stderr.strip());
      return Map.of("error", stderr.strip());
    }
    return new ObjectMapper().readValue(stdout, Map.class);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length == 0 ? 0 : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
