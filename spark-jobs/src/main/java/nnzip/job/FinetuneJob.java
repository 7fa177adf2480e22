package nnzip.job;

import nnzip.Digests;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.Progress;
import nnzip.artifact.Artifact;
import nnzip.artifact.AtomicOutput;
import nnzip.artifact.EntropyCodedArtifact;
import nnzip.compress.CompressionSettings;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.finetune.AqReencoder;
import nnzip.finetune.CompressedModel;
import nnzip.finetune.DpNetRegularizer;
import nnzip.finetune.FinetunedArtifact;
import nnzip.finetune.MagnitudePruner;
import nnzip.finetune.ScheduledTerms;
import nnzip.finetune.StraightThroughQuantizer;
import nnzip.train.TrainingLoop;
import nnzip.train.WeightPlan;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.tensor.DType;
import nnzip.train.EpochStats;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingSettings;
import nnzip.train.TrainingState;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Compression followed by finetuning on the task loss: optionally DP-Net's regularized training of
 * the full-precision model first, then the compress job into a staging artifact, then data-parallel
 * finetuning of the codebooks / levels and full-precision tensors with the codes frozen, then the
 * finetuned artifact, committed atomically. The test set is only evaluated for the report.
 */
public final class FinetuneJob {
  private FinetuneJob() {}

  /** The compress job to run on a model. */
  @FunctionalInterface
  public interface Compressor {
    /**
     * @param overwrite replace {@code out} if it exists
     * @param streams how code streams are stored (the recipe's {@code entropy}, or packed for a
     *     staging artifact that is arithmetic-coded once finetuned)
     */
    CompressJob.Result compress(String in, String out, boolean overwrite, CompressionSettings.CodeStreams streams)
        throws IOException;
  }

  /**
   * What finetuning did.
   *
   * @param result the final artifact
   * @param testOriginal test accuracy of the model given
   * @param testBefore test accuracy of the decoded model before finetuning
   * @param testAfter test accuracy after
   * @param history per-epoch diagnostics
   */
  public record Outcome(CompressJob.Result result, double testOriginal, double testBefore, double testAfter, List<EpochStats> history) {}

  /**
   * Runs the whole pipeline.
   *
   * @param in an ONNX model
   * @param out artifact to write
   */
  public static Outcome run(JavaSparkContext sc, Compressor compressor, CompressionSettings settings,
      TrainingSettings training, String recipe, String in, String out, boolean overwrite, DataRef data,
      Progress progress) throws IOException {
    long start = System.nanoTime();
    ModelProto original = OnnxModelFile.readInput(in, "finetuning needs an ONNX model (the graph to train)");
    Path target = HadoopFiles.qualify(out);
    FileSystem outFs = HadoopFiles.fileSystem(target.toString());
    nnzip.data.Datasets loaded = data.load();
    Dataset.Split split = data.split(loaded);
    Dataset test = loaded.test();
    String ckptBase = target + ".ckpt";
    TrainingGraph teacher = new GraphSetup(original.toByteArray(), WeightPlan.allTrainable(Set.of()),
        GraphMode.INFERENCE).build();
    double testOriginal = Evaluation.accuracy(teacher, test);
    float[] targets = null;
    if (training.distillation().enabled()) {
      targets = training.distillation().targets(teacher, split.train());
      progress.report(String.format("distillation: targets from the original model (alpha %.2f, temperature %.1f)",
          training.distillation().alpha(), training.distillation().temperature()));
    }
    try (AtomicOutput output = AtomicOutput.create(outFs, target, overwrite)) {
      String stageIn = in;
      ModelProto compressedFrom = original;
      if (training.fullPrecisionEpochs() > 0) {
        ModelProto trained = trainFullPrecision(sc, original, settings, training, data, split, targets, ckptBase,
            recipe, progress);
        Path p = new Path(output.tempDir(), "trained.onnx");
        OnnxModelFile.write(outFs, p, trained);
        stageIn = p.toString();
        compressedFrom = trained;
      }
      Path stage = new Path(output.tempDir(), "stage.nnz.safetensors");
      // Bit-packed: the codes are arithmetic-coded once, after finetuning.
      CompressJob.Result compressed = compressor.compress(stageIn, stage.toString(), true, CompressionSettings.CodeStreams.PACKED);
      Artifact stage1 = Artifact.open(outFs, stage);
      TrainingSettings.AqReencode re = training.aqReencode();
      // Re-encoding toward trained weights keeps full-precision copies of the aq tensors in training.
      // The kept tensors coded uniform train as floats and are coded again only if finetuning runs.
      CompressedModel model = CompressedModel.of(stage1, BatchNormWeights.runningStatistics(original),
          training.epochs() > 0 && re.steps() > 0 && re.target() == TrainingSettings.AqReencode.Target.TRAINED
              ? floatWeights(compressedFrom) : null,
          training.epochs() > 0 ? settings::keepsAsIs : spec -> false);
      // BatchNorm stays in inference mode: finetuning keeps the running statistics of the model.
      GraphSetup setup = new GraphSetup(model.onnx(), model.plan(), GraphMode.INFERENCE);
      TrainingGraph init = setup.build();
      double before = Evaluation.accuracy(init, test);
      progress.report(String.format("finetune: %d trainable parameters (%d coded tensors); decoded model before"
          + " finetuning: validation %.2f%%", init.values().count(), model.plan().coded().size(),
          100 * Evaluation.accuracy(init, split.validation())));
      String fingerprint = "finetune " + sha256(outFs, stage) + " " + recipe.hashCode() + " " + data;
      TrainingState initial = TrainingState.start(init.values(), Map.of());
      TrainingState done = initial; // finetune.epochs = 0 after pruning, DP-Net or QAT: the quantized model is kept
      if (training.epochs() > 0) {
        nnzip.train.TrainingPlan plan = training.plan(split.train().n(), training.epochs());
        done = TrainingJob.run(sc, new TrainingJob.Spec(setup, data, plan, training.optimizer(),
            reencoder(model, compressedFrom, training, plan, progress), ckptBase, fingerprint, targets), initial,
            split.validation(), progress);
      }
      Path tuned = settings.codeStreams() == CompressionSettings.CodeStreams.CABAC ? new Path(output.tempDir(), "finetuned.nnz.safetensors")
          : output.stagingFile();
      FinetunedArtifact.write(stage1, model, done.params(), floatWeights(original), outFs, tuned, recipe, in);
      if (settings.codeStreams() == CompressionSettings.CodeStreams.CABAC) {
        EntropyCodedArtifact.write(Artifact.open(outFs, tuned), outFs, output.stagingFile(), progress);
      }
      Artifact result = Artifact.open(outFs, output.stagingFile());
      result.verify();
      // Report the accuracy of what was stored (F16 codebooks are rounded), decoded as decompress does.
      double after = Evaluation.accuracy(new GraphSetup(nnzip.artifact.ArtifactRestorer.toOnnxBytes(result),
          WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build(), test);
      long bytes = result.fileSize();
      output.commit();
      HadoopFiles.deleteQuietly(outFs, new Path(ckptBase));
      Artifact committed = Artifact.open(outFs, target);
      return new Outcome(new CompressJob.Result(committed.manifest(), committed.provenance(), compressed.sourceBytes(),
          bytes, (System.nanoTime() - start) / 1e9), testOriginal, before, after, done.history());
    }
  }

  /**
   * Trains the full-precision model before quantization, with magnitude pruning, DP-Net's clustering
   * regularizer and quantization-aware training on every weight the codec will code (each as the
   * recipe asks); returns the trained model.
   */
  private static ModelProto trainFullPrecision(JavaSparkContext sc, ModelProto original, CompressionSettings settings,
      TrainingSettings training, DataRef data, Dataset.Split split, float[] targets, String ckptBase, String recipe,
      Progress progress) throws IOException {
    Set<String> frozen = BatchNormWeights.runningStatistics(original);
    GraphSetup setup = new GraphSetup(original.toByteArray(), WeightPlan.allTrainable(frozen), GraphMode.TRAINING);
    TrainingGraph init = setup.build();
    List<String> coded = new ArrayList<>();
    List<nnzip.codec.TensorLayout> layouts = new ArrayList<>();
    OnnxWeights weights = OnnxWeights.of(original);
    Map<String, Integer> axes = nnzip.io.onnx.ChannelAxes.of(weights);
    for (String name : init.trainable()) {
      OnnxWeight w = weights.byKey().get(name);
      if (w != null && !settings.keepsAsIs(w.spec())) {
        coded.add(name);
        // The groups the codec will give its own levels, for quantization-aware training.
        layouts.add(settings.scope().layoutOf(w.spec(), axes.getOrDefault(name, 0)));
      }
    }
    int epochs = training.fullPrecisionEpochs();
    nnzip.train.TrainingPlan plan = training.plan(split.train().n(), epochs);
    MagnitudePruner pruner = null;
    String phase;
    if (training.pruning().enabled()) {
      TrainingSettings.Pruning p = training.pruning();
      phase = "prune";
      pruner = new MagnitudePruner(coded, p.sparsity(), p.global(), plan.stepsPerEpoch(), epochs, p.ramp());
      progress.report(String.format("prune: %d epochs, sparsity rising to %.1f%% of %d tensors (%s threshold)",
          epochs, 100 * p.sparsity(), coded.size(), p.global() ? "one global" : "a per-tensor"));
    } else {
      phase = training.dpNet() ? "dp-net" : "qat";
      progress.report(phase + ": " + epochs + (epochs == 1 ? " epoch" : " epochs") + " of full-precision training on "
          + coded.size() + " tensors");
    }
    List<ScheduledTerms.Late> terms = new ArrayList<>();
    if (training.dpNet()) {
      int from = epochs - training.dpNetEpochs() + 1;
      terms.add(new ScheduledTerms.Late(new DpNetRegularizer(coded, 1 << settings.bits(), training.dpNetLambda(),
          plan.stepsPerRound()), from));
      progress.report(phase + ": epochs " + from + "-" + epochs + " carry the dp-net clustering regularizer (lambda "
          + training.dpNetLambda() + ")");
    }
    if (training.qatEpochs() > 0) {
      int from = epochs - training.qatEpochs() + 1;
      terms.add(new ScheduledTerms.Late(new StraightThroughQuantizer(coded, layouts, 1 << settings.bits(),
          plan.stepsPerRound()), from));
      progress.report(phase + ": epochs " + from + "-" + epochs + " train through the " + (1 << settings.bits())
          + " dp levels of each " + (settings.scope() == nnzip.codec.Scope.AUTO ? "channel (auto's choice comes later)"
              : settings.scope().name().toLowerCase(java.util.Locale.ROOT))
          + " (quantization-aware, straight-through)");
    }
    TrainingLoop.Regularizer hook = new ScheduledTerms(pruner, terms);
    String ckpt = ckptBase + "-" + phase;
    TrainingState done = TrainingJob.run(sc, new TrainingJob.Spec(setup, data, plan, training.optimizer(), hook, ckpt,
        phase + " " + recipe.hashCode() + " " + data, targets), TrainingState.start(init.values(), GraphSetup.statistics(init)),
        split.validation(), progress);
    if (pruner != null) {
      progress.report(String.format("prune: %.2f%% of the coded weights are zero", 100 * pruner.measuredSparsity(
          done.params())));
    }
    HadoopFiles.deleteQuietly(HadoopFiles.fileSystem(ckpt), new Path(ckpt));
    return OnnxModelFile.replaceWeights(original, done.weightBytes());
  }

  /**
   * The hook that re-encodes aq codes during finetuning against the weights the artifact was coded
   * from, or null when the recipe keeps the codes frozen or no tensor is aq-coded.
   */
  private static AqReencoder reencoder(CompressedModel model, ModelProto compressedFrom, TrainingSettings training,
      nnzip.train.TrainingPlan plan, Progress progress) throws IOException {
    TrainingSettings.AqReencode r = training.aqReencode();
    if (r.steps() == 0 || model.plan().coded().values().stream().noneMatch(b -> b instanceof nnzip.train.WeightBinding.Aq)) {
      return null;
    }
    progress.report("finetune: aq codes re-encoded (beam " + r.beam() + ") every " + r.steps() + " steps toward the "
        + r.target().name().toLowerCase(java.util.Locale.ROOT) + " weights");
    return new AqReencoder(model, floatWeights(compressedFrom),
        r.target(), r.steps(), plan.stepsPerEpoch(), r.beam(),
        s -> progress.report(String.format("aq re-encode before step %d: %.2f%% of %d subvectors changed codes,"
            + " squared error %.6g -> %.6g", s.step(), 100.0 * s.changed() / Math.max(1, s.subvectors()),
            s.subvectors(), s.errorBefore(), s.errorAfter())));
  }

  /** Every F32 weight of the model as floats, by key. */
  static Map<String, float[]> floatWeights(ModelProto model) throws IOException {
    OnnxWeights w = OnnxWeights.of(model);
    Map<String, float[]> out = new HashMap<>();
    for (OnnxWeight x : w.list()) {
      if (x.spec().dtype() == DType.F32) {
        float[] v = new float[(int) x.spec().numElements()];
        ByteBuffer.wrap(w.bytes(x.key())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        out.put(x.key(), v);
      }
    }
    return out;
  }

  private static String sha256(FileSystem fs, Path p) throws IOException {
    MessageDigest d = Digests.sha256();
    try (var in = fs.open(p)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    }
    return Digests.hex(d.digest());
  }
}
