package nnzip.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.bench.IoBenchmark;
import nnzip.io.HadoopFiles;
import nnzip.job.SparkSessions;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** {@code nnzip bench}: end-to-end benchmarks writing JSON (never part of the test suite). */
final class BenchCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "benchmarks: 'bench io' (read path vs FileChannel; driver heap on a 2 GB model)";
  }

  @Override
  public String help() {
    return """
        usage: nnzip bench io [--dir DIR] [--gb N] [--heap-gb N] [--json-out FILE] [--repeats N]

          io    1) reads an N GB safetensors (default 1) through the job's read path and with a plain
                   sequential FileChannel read, alternating, and reports the throughput ratio
                   (goal ≥ 0.8);
                2) compresses a --heap-gb GB model (default 2) on local[2] in a child JVM whose heap is
                   capped at 512 MB (driver and executors share it), and reports its peak heap use.
          --dir DIR       scratch directory for the generated models (default: a temp dir, deleted after)
          --json-out F    also write the figures to F (default bench-io.json)
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    if (argv.length == 0 || !argv[0].equals("io")) {
      throw new UsageException("bench needs a benchmark name: io");
    }
    Args a = Args.parse(java.util.Arrays.copyOfRange(argv, 1, argv.length),
        Set.of("--dir", "--gb", "--heap-gb", "--json-out", "--repeats"), Set.of());
    java.nio.file.Path dir = a.get("--dir") != null ? java.nio.file.Path.of(a.get("--dir"))
        : Files.createTempDirectory("nnzip-bench");
    Files.createDirectories(dir);
    Path model = HadoopFiles.qualify(dir.resolve("bench-1g.safetensors").toString());
    FileSystem fs = HadoopFiles.fileSystem(model.toString());
    Map<String, Object> report = new LinkedHashMap<>();
    try {
      int gb = a.getInt("--gb", 1);
      err.println("[nnzip] writing a " + gb + " GB model to " + model);
      IoBenchmark.writeModel(fs, model, 16 * gb, 64L << 20, 1);
      report.put("read", IoBenchmark.run(fs, model, a.getInt("--repeats", 3), m -> err.println("[nnzip] " + m)));
      fs.delete(model, false);

      int heapGb = a.getInt("--heap-gb", 2);
      if (heapGb <= 0) {
        return finish(report, a, out);
      }
      Path big = HadoopFiles.qualify(dir.resolve("bench-heap.safetensors").toString());
      err.println("[nnzip] writing a " + heapGb + " GB model to " + big);
      IoBenchmark.writeModel(fs, big, 16 * heapGb, 128L << 20, 2);
      report.put("driverHeap", compressInSmallHeap(big.toString(), dir.resolve("bench-heap.nnz.safetensors").toString(), err));
    } finally {
      if (a.get("--dir") == null) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
      }
    }
    return finish(report, a, out);
  }

  private static int finish(Map<String, Object> report, Args a, PrintStream out) throws java.io.IOException {
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    out.println(json);
    Files.writeString(java.nio.file.Path.of(a.get("--json-out") != null ? a.get("--json-out") : "bench-io.json"), json);
    return Main.OK;
  }

  /** Runs compress in a child JVM with -Xmx512m and reads back its peak heap. */
  private static Map<String, Object> compressInSmallHeap(String in, String outFile, PrintStream err) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
        "-Dnnzip.reportPeakHeap=true"));
    cmd.addAll(List.of(SparkSessions.JAVA17_OPENS.split(" ")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "compress",
        "--in", in, "--out", outFile, "--overwrite", "--master", "local[2]", "--set", "bits=4"));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    long peak = -1;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("nnzip.peakHeapBytes=")) {
          peak = Long.parseLong(line.substring(line.indexOf('=') + 1));
        } else if (line.startsWith("[nnzip]") || line.contains("error")) {
          err.println(line);
        }
      }
    }
    int code = p.waitFor();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("modelBytes", new java.io.File(java.net.URI.create(in)).length());
    m.put("heapLimitBytes", 512L << 20);
    m.put("exitCode", code);
    m.put("peakHeapBytes", peak);
    m.put("peakHeapMiB", peak / 1048576.0);
    m.put("note", "local[2]: driver and executors share this one heap, so the driver's own peak is lower");
    m.put("seconds", (System.nanoTime() - t0) / 1e9);
    return m;
  }
}
