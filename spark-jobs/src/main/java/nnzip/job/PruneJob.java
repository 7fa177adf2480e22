package nnzip.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.Progress;
import nnzip.artifact.AtomicOutput;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.prune.ChannelGroup;
import nnzip.prune.ChannelGroups;
import nnzip.prune.ChannelRemoval;
import nnzip.prune.LayerStats;
import nnzip.prune.MeanCompensation;
import nnzip.prune.PruneSettings;
import nnzip.prune.StructuredPruning;
import nnzip.prune.dirichlet.ChannelSelection;
import nnzip.prune.dirichlet.DirichletGates;
import nnzip.train.BatchNormRecalibration;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.Optimizer;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingSettings;
import nnzip.train.TrainingState;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Structured pruning of an ONNX model (Adamczewski &amp; Park's Dirichlet pruning, or the L1 and
 * random baselines): the channel groups of the graph, the gates trained data-parallel on Spark with
 * the weights frozen (as finetuning trains), channels ranked and chosen under a parameter budget,
 * removed physically from every tensor that touches them, and the kept weights retrained briefly.
 * Every choice is made on the validation split; the test set is only evaluated for the report.
 */
public final class PruneJob {
  private PruneJob() {}

  /**
   * What pruning did.
   *
   * @param model the pruned model, serialized
   * @param layers the per-layer table (channels, parameters, FLOPs before and after)
   * @param validationOriginal validation accuracy of the model as given
   * @param validationRemoved validation accuracy right after the channels were removed
   * @param validationAfter validation accuracy after retraining
   * @param testOriginal test accuracy of the model as given
   * @param testAfter test accuracy of the pruned model
   */
  public record Outcome(byte[] model, ChannelSelection.Method method, double keep, List<LayerStats> layers,
      double validationOriginal, double validationRemoved, double validationAfter, double testOriginal,
      double testAfter, double seconds) {
    /** Σ parameters of the weighted layers before. */
    public long parametersBefore() {
      return StructuredPruning.totalParameters(layers);
    }

    /** Σ parameters of the weighted layers after. */
    public long parametersAfter() {
      return StructuredPruning.keptParameters(layers);
    }

    public long flopsBefore() {
      return layers.stream().mapToLong(LayerStats::flopsBefore).sum();
    }

    public long flopsAfter() {
      return layers.stream().mapToLong(LayerStats::flopsAfter).sum();
    }
  }

  /**
   * Prunes {@code in} and writes the pruned ONNX model to {@code out} atomically.
   *
   * @throws InvalidInputException if the input is missing, not ONNX, or has nothing to prune
   */
  public static Outcome run(JavaSparkContext sc, PruneSettings settings, TrainingSettings training, String in,
      String out, boolean overwrite, DataRef data, Progress progress) throws IOException {
    ModelProto original = OnnxModelFile.readInput(in, "pruning needs an ONNX model (the graph to shrink)");
    Path target = HadoopFiles.qualify(out);
    FileSystem outFs = HadoopFiles.fileSystem(target.toString());
    try (AtomicOutput output = AtomicOutput.create(outFs, target, overwrite)) {
      Outcome o = prune(sc, original.toByteArray(), settings, training, data, target + ".ckpt", progress);
      try (var os = outFs.create(output.stagingFile(), true)) {
        os.write(o.model());
      }
      OnnxModelFile.read(outFs, output.stagingFile()); // what was written parses back
      output.commit();
      return o;
    }
  }

  /**
   * Prunes a model in memory.
   *
   * @param ckptBase prefix of the checkpoint files of the two training phases (resumable)
   */
  public static Outcome prune(JavaSparkContext sc, byte[] onnx, PruneSettings settings, TrainingSettings training,
      DataRef data, String ckptBase, Progress progress) throws IOException {
    long start = System.nanoTime();
    ModelProto original = OnnxModelFile.parse(onnx, "the model to prune");
    ChannelGroups groups = ChannelGroups.of(onnx);
    for (ChannelGroup g : groups.groups()) {
      if (!g.prunable()) {
        progress.report("prune: group '" + g.id() + "' stays whole: " + g.refusal());
      }
    }
    nnzip.data.Datasets loaded = data.load();
    Dataset.Split split = data.split(loaded);
    Dataset test = loaded.test();
    Set<String> frozen = BatchNormWeights.runningStatistics(original);
    TrainingGraph base = new GraphSetup(onnx, WeightPlan.allTrainable(frozen), GraphMode.INFERENCE).build();
    ParameterValues weights = base.values();
    double valOriginal = Evaluation.accuracy(base, split.validation());
    double testOriginal = Evaluation.accuracy(base, test);
    List<ChannelSelection.Group> selection = StructuredPruning.selectionGroups(groups);
    progress.report(String.format("prune: %d channel groups, %d prunable; %s ranking, keeping %s; original"
        + " validation %.2f%%", groups.groups().size(), groups.prunable().size(),
        settings.method().name().toLowerCase(java.util.Locale.ROOT), settings.budget(), 100 * valOriginal));
    Map<String, float[]> values = byName(weights);
    Map<String, long[]> shapes = shapes(weights);
    String fingerprint = "prune " + Digests.hex(Digests.sha256().digest(onnx)) + " " + settings + " " + data;
    List<double[]> scores = switch (settings.method()) {
      case DIRICHLET -> gateScores(sc, onnx, groups, weights, frozen, settings, training, data, split,
          ckptBase + "-gates", fingerprint, progress);
      case L1 -> StructuredPruning.l1Scores(groups, values, shapes);
      case RANDOM -> ChannelSelection.randomScores(selection, settings.seed());
    };
    List<double[]> ranking = settings.method() == ChannelSelection.Method.DIRICHLET
        && settings.gateScore() == ChannelSelection.GateScore.GATED_L1
        ? ChannelSelection.gatedL1Scores(scores, StructuredPruning.l1Scores(groups, values, shapes))
        : scores;
    List<int[]> kept = StructuredPruning.select(groups, ranking, settings.budget(), settings.allocation());
    byte[] source = onnx;
    ChannelGroups sourceGroups = groups;
    if (settings.method() == ChannelSelection.Method.DIRICHLET && settings.foldGates()) {
      Map<String, byte[]> folded = new java.util.LinkedHashMap<>();
      StructuredPruning.foldScales(groups, values, shapes, scores)
          .forEach((k, v) -> folded.put(k, nnzip.artifact.ArtifactWriter.floatBytes(v)));
      source = OnnxModelFile.replaceWeights(original, folded).toByteArray();
      // Constant-node weights are nodes: the groups must be found on the rewritten graph.
      sourceGroups = ChannelGroups.of(source);
    }
    Map<String, int[]> keptById = StructuredPruning.keptById(groups, kept);
    if (settings.meanCompensation() > 0) {
      Map<String, Integer> inputs = MeanCompensation.inputs(sourceGroups, keptById);
      TrainingGraph sourceGraph = new GraphSetup(source, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build();
      MeanCompensation.Result c = MeanCompensation.apply(source, sourceGroups, keptById,
          MeanCompensation.means(sourceGraph, split.train(), inputs, settings.meanCompensation()));
      c.skipped().forEach(line -> progress.report("prune: removed channels' means not compensated at " + line));
      progress.report(String.format("prune: the removed channels' means (over %d training examples) moved into %d"
          + " layers", Math.min(settings.meanCompensation(), split.train().n()), c.compensated()));
      source = c.model();
      // A consumer may have gained a bias input: find the groups on the graph as it now is.
      sourceGroups = ChannelGroups.of(source);
    }
    ChannelRemoval.Result removed = ChannelRemoval.apply(source, sourceGroups, keptById);
    ModelProto pruned = OnnxModelFile.parse(removed.model(), "the pruned model");
    byte[] result = removed.model();
    Set<String> stats = BatchNormWeights.runningStatistics(pruned);
    if (settings.recalibrate() > 0 && !stats.isEmpty()) {
      Map<String, byte[]> recalibrated = new java.util.LinkedHashMap<>();
      BatchNormRecalibration.estimate(new GraphSetup(result, WeightPlan.allTrainable(stats), GraphMode.TRAINING).build(),
          split.train(), settings.recalibrate()).forEach((k, v) -> recalibrated.put(k,
              nnzip.artifact.ArtifactWriter.floatBytes(v)));
      pruned = OnnxModelFile.replaceWeights(pruned, recalibrated);
      result = pruned.toByteArray();
      progress.report(String.format("prune: running statistics of %d BatchNormalization nodes estimated anew over %d"
          + " training examples", recalibrated.size() / 2, Math.min(settings.recalibrate(), split.train().n())));
    }
    double valRemoved = accuracy(result, split.validation());
    progress.report(String.format("prune: %d → %d parameters in the weighted layers; validation %.2f%% right after"
        + " removal", StructuredPruning.totalParameters(removed.layers()),
        StructuredPruning.keptParameters(removed.layers()), 100 * valRemoved));
    double valAfter = valRemoved;
    if (settings.retrainEpochs() > 0) {
      GraphSetup setup = new GraphSetup(result, WeightPlan.allTrainable(stats), GraphMode.TRAINING);
      TrainingGraph init = setup.build();
      String ckpt = ckptBase + "-retrain";
      float[] targets = null;
      if (training.distillation().enabled()) {
        targets = training.distillation().targets(base, split.train());
        progress.report(String.format("prune: retraining against the original model's predictions (distill alpha"
            + " %.2f, temperature %.1f)", training.distillation().alpha(), training.distillation().temperature()));
      }
      TrainingState done = TrainingJob.run(sc, new TrainingJob.Spec(setup, data,
          training.plan(split.train().n(), settings.retrainEpochs()),
          Optimizer.adam(settings.retrainLearningRate()).withSchedule(settings.retrainSchedule()), null, ckpt,
          fingerprint + " retrain " + training.distillation(), targets), TrainingState.start(init.values(), GraphSetup.statistics(init)),
          split.validation(), progress);
      HadoopFiles.deleteQuietly(HadoopFiles.fileSystem(ckpt), new Path(ckpt));
      result = OnnxModelFile.replaceWeights(pruned, done.weightBytes()).toByteArray();
      valAfter = accuracy(result, split.validation());
    }
    double testAfter = accuracy(result, test);
    progress.report(String.format("prune: validation %.2f%% after retraining; test %.2f%% (original %.2f%%)",
        100 * valAfter, 100 * testAfter, 100 * testOriginal));
    return new Outcome(result, settings.method(), settings.keep(), removed.layers(), valOriginal, valRemoved, valAfter,
        testOriginal, testAfter, (System.nanoTime() - start) / 1e9);
  }

  /** Trains the gates with the weights frozen; the scores C·g of each prunable group. */
  private static List<double[]> gateScores(JavaSparkContext sc, byte[] onnx, ChannelGroups groups,
      ParameterValues weights, Set<String> frozen, PruneSettings settings, TrainingSettings training, DataRef data,
      Dataset.Split split, String ckpt, String fingerprint, Progress progress) throws IOException {
    List<DirichletGates.Gate> gates = StructuredPruning.gates(groups, shapes(weights));
    DirichletGates regularizer = new DirichletGates(gates, settings.gates());
    WeightPlan plan = DirichletGates.plan(gates, weights, frozen, settings.gates());
    // BatchNorm in inference mode: a gate on a normalized channel must not be normalized away.
    GraphSetup setup = new GraphSetup(onnx, plan, GraphMode.INFERENCE);
    TrainingGraph init = setup.build();
    progress.report(String.format("prune: training %d Dirichlet gates for %d epochs with %s lr %s (weights frozen,"
        + " alpha0 %s, KL weight %s)", gates.size(), settings.gateEpochs(),
        settings.gateOptimizer().name().toLowerCase(java.util.Locale.ROOT), settings.gateLearningRate(),
        settings.gates().alpha0(), settings.gates().klWeight()));
    TrainingState done = TrainingJob.run(sc, new TrainingJob.Spec(setup, data,
        training.plan(split.train().n(), settings.gateEpochs()), settings.gateRule(),
        regularizer, ckpt, fingerprint + " gates"), TrainingState.start(init.values(), Map.of()), split.validation(),
        progress);
    HadoopFiles.deleteQuietly(HadoopFiles.fileSystem(ckpt), new Path(ckpt));
    Map<String, double[]> byGate = new HashMap<>();
    List<double[]> g = regularizer.pointEstimates(done.params());
    for (int i = 0; i < gates.size(); i++) {
      byGate.put(gates.get(i).name(), ChannelSelection.gateScores(g.get(i)));
    }
    List<double[]> out = new ArrayList<>();
    for (ChannelGroup group : groups.prunable()) {
      // A group of one channel has no gate: it ranks as an average channel.
      double[] s = byGate.get(group.id());
      out.add(s != null ? s : new double[] {1});
    }
    return out;
  }

  private static double accuracy(byte[] onnx, Dataset data) {
    return Evaluation.accuracy(new GraphSetup(onnx, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build(),
        data);
  }

  private static Map<String, long[]> shapes(ParameterValues v) {
    Map<String, long[]> m = new HashMap<>();
    for (int i = 0; i < v.names().size(); i++) {
      m.put(v.names().get(i), v.shapes().get(i));
    }
    return m;
  }

  private static Map<String, float[]> byName(ParameterValues v) {
    Map<String, float[]> m = new HashMap<>();
    for (int i = 0; i < v.names().size(); i++) {
      m.put(v.names().get(i), v.values()[i]);
    }
    return m;
  }
}
