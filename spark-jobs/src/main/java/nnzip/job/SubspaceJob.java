package nnzip.job;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import nnzip.Digests;
import nnzip.Progress;
import nnzip.artifact.Artifact;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.compress.CompressionSettings;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxProto;
import nnzip.subspace.Dialer;
import nnzip.subspace.Line;
import nnzip.subspace.LineDescriptor;
import nnzip.subspace.LineTraining;
import nnzip.subspace.LineWeight;
import nnzip.subspace.NormLine;
import nnzip.subspace.NormLineTraining;
import nnzip.subspace.SubspaceSettings;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import nnzip.train.EpochStats;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingSettings;
import nnzip.train.TrainingState;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Trains a compressible subspace (a line of models, LCS) data-parallel on Spark the way finetuning
 * trains ({@link TrainingJob}, checkpointed and resumable), stores it with the recipe's codecs
 * through {@link CompressJob} (one ONNX graph: w1 as its weights, w0 − w1 at fewer bits, see
 * {@link LineDescriptor}), and measures the validation accuracy at points of the line as stored.
 * BatchNorm running statistics train per α at {@code settings.normAnchors()} anchors ({@link NormLine},
 * {@link NormLineTraining}; one pair at a fixed α or with one anchor).
 */
public final class SubspaceJob {
  private SubspaceJob() {}

  /**
   * What to train.
   *
   * @param first the model whose weights start the first endpoint (its graph is the architecture)
   * @param second a model of the same graph whose weights start the second endpoint (the same model
   *     for a line started from a user's trained model)
   * @param settings the line's settings
   * @param training epochs, optimizer, batch, chunk, validation, steps per round, seed
   * @param data the data set
   * @param tableAlphas the points whose validation accuracy is measured after training, ascending
   * @param checkpoint checkpoint file, or null
   * @param compression the codec settings the line will be stored with: with a {@code
   *     settings.storedDifference()} and a scalar recipe codec (uniform, dp), the weights whose difference
   *     they code train through its stored form
   */
  public record Spec(byte[] first, byte[] second, SubspaceSettings settings, TrainingSettings training, DataRef data,
      double[] tableAlphas, String checkpoint, CompressionSettings compression) {}

  /**
   * A trained line.
   *
   * @param line the graph, endpoints and descriptor (uncompressed)
   * @param history per-epoch diagnostics (validation at α = 0.5, or at the fixed α)
   * @param cosine cos(w0, w1) over the model at the end
   * @param seconds training wall time
   */
  public record Trained(Line line, List<EpochStats> history, double cosine, double seconds) {}

  /** Trains the line; the table is measured on the validation split with the uncompressed endpoints. */
  public static Trained train(JavaSparkContext sc, Spec spec, Progress progress) throws IOException {
    long start = System.nanoTime();
    ModelProto model = OnnxModelFile.parse(spec.first(), "the model to train a line from");
    Set<String> frozen = BatchNormWeights.runningStatistics(model);
    ParameterValues w0 = weights(spec.first(), frozen);
    ParameterValues w1 = weights(spec.second(), frozen);
    // Under aq the differences are coded like every weight (write's rule is for scalar codecs only).
    ScalarCodec difference = spec.compression().codec() == CodecKind.UNIFORM
        || spec.compression().codec() == CodecKind.DP ? spec.settings().storedDifference() : null;
    Set<String> stored = new java.util.TreeSet<>();
    for (int i = 0; i < w0.names().size(); i++) {
      // The differences the artifact codes at the difference bits: those the recipe does not keep as they are.
      if (!spec.compression().keepsAsIs(new TensorSpec(LineDescriptor.DIFFERENCE_PREFIX + w0.names().get(i), DType.F32,
          w0.shapes().get(i)))) {
        stored.add(w0.names().get(i));
      }
    }
    WeightPlan plan = LineTraining.plan(model, w0, w1, frozen, spec.settings().kind(), spec.settings().scope(),
        difference, stored);
    List<String> names = LineTraining.lineParameters(plan);
    Dataset.Split split = spec.data().split(spec.data().load());
    TrainingPlan tplan = spec.training().plan(split.train().n(), spec.training().epochs());
    if (spec.settings().warmupEpochs() > spec.training().epochs()) {
      throw new IllegalArgumentException("subspace warmup-epochs (" + spec.settings().warmupEpochs()
          + ") must be ≤ the training epochs (" + spec.training().epochs() + ")");
    }
    double validationAlpha = spec.settings().fixed() ? spec.settings().fixedAlpha() : 0.5;
    LineTraining lineTraining = new LineTraining(plan, spec.settings(), tplan.stepsPerEpoch(), validationAlpha);
    // BatchNorm running statistics: per-α anchors (a norm line), or one pair where there is one anchor.
    Map<String, float[]> s0 = statistics(spec.first(), frozen);
    NormLine norms = NormLine.start(spec.settings().anchorsToKeep(), s0, statistics(spec.second(), frozen));
    TrainingLoop.Regularizer regularizer = norms.isEmpty() ? lineTraining
        : new NormLineTraining(lineTraining, norms, validationAlpha);
    Map<String, float[]> startStatistics = norms.isEmpty() ? s0 : norms.anchors();
    GraphSetup setup = new GraphSetup(spec.first(), plan, GraphMode.TRAINING);
    TrainingGraph init = setup.build();
    progress.report(String.format("subspace: %s line%s over %d weights (%d parameters), %d epochs of %d steps%s%s",
        spec.settings().kind().label(), spec.settings().kind() == nnzip.subspace.SubspaceKind.UNSTRUCTURED
            ? " (magnitudes ranked per " + (spec.settings().scope() == nnzip.subspace.MagnitudeScope.GLOBAL ? "model"
            : "matrix") + ")" : "", names.size(), init.values().count(), tplan.epochs(), tplan.stepsPerEpoch(),
        spec.settings().fixed() ? ", alpha fixed at " + spec.settings().fixedAlpha() : "",
        difference == null ? "" : ", " + stored.size() + " weights see w0 as stored (w0 - w1 by "
            + difference.kind().label() + " at " + difference.bits() + " bits)"));
    if (spec.settings().pointsToTrain() > 1) {
      progress.report(String.format("subspace: %d points per step (sandwich rule): both endpoints and %d drawn inside"
          + " the line, each a forward and backward pass over the batch", spec.settings().pointsToTrain(),
          spec.settings().pointsToTrain() - 2));
    }
    if (!frozen.isEmpty()) {
      progress.report(norms.isEmpty() ? "subspace: " + frozen.size() / 2 + " BatchNorm nodes, one pair of statistics"
          + " for every point" : String.format("subspace: %d BatchNorm nodes, statistics per alpha at %d anchors",
          frozen.size() / 2, norms.alphas().length));
    }
    String fingerprint = "subspace " + Digests.hex(Digests.sha256().digest(spec.first())) + " "
        + Digests.hex(Digests.sha256().digest(spec.second())) + " " + spec.settings() + " " + tplan + " "
        + spec.training().optimizer() + " " + spec.data() + " stored " + difference + " " + stored;
    float[] targets = null;
    if (spec.training().distillation().enabled()) {
      // The line starts from a trained model (train --init, bench subspace --init), which teaches every
      // point, as slimmable networks' in-place distillation has the full network teach the narrow ones.
      targets = spec.training().distillation().targets(new GraphSetup(spec.first(), WeightPlan.allTrainable(frozen),
          GraphMode.INFERENCE).build(), split.train());
      progress.report(String.format("subspace: every point learns from the starting model's predictions (distill"
          + " alpha %.2f, temperature %.1f)", spec.training().distillation().alpha(),
          spec.training().distillation().temperature()));
    }
    TrainingState done = TrainingJob.run(sc, new TrainingJob.Spec(setup, spec.data(), tplan,
        spec.training().optimizer(), regularizer, spec.checkpoint(), fingerprint + " " + spec.training().distillation(),
        targets),
        TrainingState.start(init.values(), startStatistics), split.validation(), progress);
    if (spec.checkpoint() != null) {
      HadoopFiles.deleteQuietly(HadoopFiles.fileSystem(spec.checkpoint()), new Path(spec.checkpoint()));
    }
    TrainingGraph eval = setup.withMode(GraphMode.INFERENCE).build();
    NormLine trainedNorms = norms.isEmpty() ? norms : norms.withAnchors(done.statistics());
    List<LineDescriptor.Point> table = new ArrayList<>();
    for (double a : spec.tableAlphas()) {
      Map<String, float[]> statsAt = trainedNorms.isEmpty() ? done.statistics() : trainedNorms.at((float) a);
      double acc = Evaluation.accuracy(eval, lineTraining.at(done.params(), (float) a), statsAt,
          split.validation());
      table.add(new LineDescriptor.Point(a, acc));
      progress.report(String.format("subspace: alpha %.3f: validation accuracy %.2f%%", a, 100 * acc));
    }
    Map<String, float[]> e0 = new LinkedHashMap<>();
    Map<String, float[]> e1 = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, nnzip.train.WeightBinding> b : plan.coded().entrySet()) {
      float[] p = done.params().get(b.getValue().parameter());
      int n = ((LineWeight) b.getValue()).elements();
      e0.put(b.getKey(), java.util.Arrays.copyOf(p, n));
      e1.put(b.getKey(), java.util.Arrays.copyOfRange(p, n, 2 * n));
      shapes.put(b.getKey(), ((LineWeight) b.getValue()).shape());
    }
    double cosine = LineTraining.cosine(done.params(), names);
    progress.report(String.format("subspace: cos(w0, w1) = %.4f", cosine));
    OnnxProto.Model graph = OnnxProto.Model.parse(spec.first(), "the model to train a line from");
    if (trainedNorms.isEmpty() && !done.statistics().isEmpty()) {
      // One pair for every point: the trained statistics are the graph's own.
      Map<String, byte[]> trainedStatistics = new LinkedHashMap<>();
      done.statistics().forEach((k, v) -> trainedStatistics.put(k, nnzip.artifact.ArtifactWriter.floatBytes(v)));
      graph = nnzip.io.onnx.OnnxWeightWriter.replace(graph, trainedStatistics);
    }
    List<Float> anchors = new ArrayList<>();
    for (float a : trainedNorms.alphas()) {
      anchors.add(a);
    }
    Line line = new Line(graph, LineDescriptor.of(spec.settings().kind(), table, anchors, spec.settings().scope()),
        e0, e1, shapes,
        trainedNorms);
    return new Trained(line, done.history(), cosine, (System.nanoTime() - start) / 1e9);
  }

  /**
   * A line as stored.
   *
   * @param result the compress run that wrote the artifact
   * @param line the line decoded from the artifact, its table measured on exactly these endpoints
   */
  public record Stored(CompressJob.Result result, Line line) {}

  /**
   * Stores a trained line as an artifact and measures its table on the line as stored: the line's
   * graph (w1, w0 − w1 and the descriptor, see {@link LineDescriptor}) is compressed with the recipe,
   * the differences with {@code difference} per channel; the artifact is decoded the way {@code dial} decodes
   * it, the validation accuracy of the dialed model at each table point replaces the trained line's,
   * and the graph is compressed again with that table (the same weights, so the same codes).
   *
   * @param difference the scalar codec of w0 − w1 (under the aq recipe codec, aq codes it like any weight)
   * @param origin the model the user gave, or null
   */
  public static Stored write(JavaSparkContext sc, Line line, DataRef data, ScalarCodec difference,
      CompressionSettings compression, String recipe, String origin, String out, boolean overwrite,
      Progress progress) throws IOException {
    // Per channel, as training quantized it (LineWeight.stored), whatever scope the recipe gives the weights.
    CompressionSettings settings = compression.withTensorCodec(new CompressionSettings.TensorCodec(
        Pattern.compile(Pattern.quote(LineDescriptor.DIFFERENCE_PREFIX) + ".*"), difference, Scope.CHANNEL));
    String untabled = out + ".untabled.nnz.safetensors";
    FileSystem fs = HadoopFiles.fileSystem(untabled);
    Line decoded;
    try {
      compress(sc, line, settings, recipe, origin, untabled, true, progress);
      decoded = Dialer.open(Artifact.open(fs, HadoopFiles.qualify(untabled)));
    } finally {
      HadoopFiles.deleteQuietly(fs, HadoopFiles.qualify(untabled));
    }
    Dataset validation = data.split(data.load()).validation();
    List<LineDescriptor.Point> table = new ArrayList<>();
    for (LineDescriptor.Point p : line.table()) {
      byte[] dialed = decoded.dial(p.alpha());
      double acc = Evaluation.accuracy(new GraphSetup(dialed, WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE)
          .build(), validation);
      table.add(new LineDescriptor.Point(p.alpha(), acc));
      progress.report(String.format("subspace: alpha %.3f as stored: validation accuracy %.2f%% (%.2f%% as trained)",
          p.alpha(), 100 * acc, 100 * p.validationAccuracy()));
    }
    LineDescriptor described = line.descriptor().withTable(table);
    CompressJob.Result result = compress(sc, line.withDescriptor(described), settings, recipe, origin, out, overwrite,
        progress);
    return new Stored(result, decoded.withDescriptor(described));
  }

  /** Compresses the graph of a line, written next to {@code out} and removed after. */
  private static CompressJob.Result compress(JavaSparkContext sc, Line line, CompressionSettings settings,
      String recipe, String origin, String out, boolean overwrite, Progress progress) throws IOException {
    byte[] onnx = Line.toOnnx(line.model(), line.w0(), line.w1(), line.norms(), line.descriptor()).toByteArray();
    Path staged = HadoopFiles.qualify(out + ".line.onnx");
    FileSystem fs = HadoopFiles.fileSystem(staged.toString());
    try {
      try (OutputStream os = fs.create(staged, true)) {
        os.write(onnx);
      }
      return CompressJob.run(sc, settings, recipe, staged.toString(), origin, out, overwrite, progress);
    } finally {
      HadoopFiles.deleteQuietly(fs, staged);
    }
  }

  /** The BatchNorm running statistics of a model by key (empty without BatchNorm). */
  private static Map<String, float[]> statistics(byte[] onnx, Set<String> keys) {
    Map<String, float[]> out = new LinkedHashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    ParameterValues all = weights(onnx, Set.of());
    keys.forEach(k -> out.put(k, all.get(k).clone()));
    return out;
  }

  private static ParameterValues weights(byte[] onnx, Set<String> frozen) {
    return new GraphSetup(onnx, WeightPlan.allTrainable(frozen), GraphMode.INFERENCE).build().values();
  }
}
