package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.io.PrintStream;
import java.util.Set;
import nnzip.config.Recipes;
import nnzip.job.PruneJob;
import nnzip.job.SparkSessions;
import nnzip.prune.LayerStats;
import nnzip.prune.PruneSettings;
import nnzip.prune.dirichlet.ChannelSelection;
import nnzip.report.ReportJson;
import nnzip.train.TrainingSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** {@code nnzip prune}: an ONNX model in, a physically smaller ONNX model out. */
final class PruneCommand implements Command {
  @Override
  public String name() {
    return "prune";
  }

  @Override
  public String summary() {
    return "remove whole channels and neurons from an ONNX model (Dirichlet pruning, or l1 / random)";
  }

  @Override
  public String help() {
    return """
        usage: nnzip prune --in M.onnx --out P.onnx --data D [--method dirichlet|l1|random] [--keep F]
                           [--set key=value]... [--master URL] [--overwrite] [--json]

          --in M.onnx      the model to prune (PyTorch, Paddle2ONNX or nnzip exports; any Hadoop path)
          --out P.onnx     the pruned model, a standard ONNX file (written atomically)
          --data D         fashion-mnist, an .npz file or a directory of IDX files: gates train on its
                           training split, every choice is made on its validation split, the test
                           split is only reported
          --method M       dirichlet (learned Dirichlet gates) | l1 (filter L1 norm) | random
                                                                       (structured.method: dirichlet)
          --keep F         fraction of the prunable parameters kept, in (0, 1]   (0.5 unless set)
          --set k=v        recipe keys structured.* (gate-epochs, gate-optimizer, gate-lr, alpha0,
                           kl-weight, initial-concentration, gate-score, fold-gates, mean-compensation, recalibrate,
                           retrain-epochs, retrain-lr) and
                           finetune.batch / chunk / validation / steps-per-round / examples /
                           distill.*, seed
          --json           print the report as JSON on stdout instead of the table

        Channels joined by a residual Add, Concat, BatchNormalization, Flatten into Gemm/MatMul or a
        depthwise Conv are pruned together; a group nnzip cannot prune safely stays whole (said in
        the log). The graph's inputs and the classifier's outputs never shrink. Checkpoints OUT.ckpt-*
        are written while training; rerunning the command resumes from them.
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--in", "--out", "--data", "--method", "--keep", "--set", "--master"),
        Set.of("--overwrite", "--json"));
    String in = a.require("--in");
    String outPath = a.require("--out");
    String dataSpec = a.require("--data");
    Config recipe = Recipes.resolve(null, a.all("--set"));
    PruneSettings recipeSettings = Recipes.pruneSettings(recipe);
    ChannelSelection.Method method;
    double keep;
    try {
      method = a.get("--method") == null ? recipeSettings.method() : ChannelSelection.Method.parse(a.get("--method"));
      keep = a.get("--keep") != null ? Double.parseDouble(a.get("--keep"))
          : recipeSettings.prunes() ? recipeSettings.keep() : 0.5;
    } catch (NumberFormatException e) {
      throw new UsageException("--keep: not a number: " + a.get("--keep"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--method: " + e.getMessage());
    }
    if (!(keep > 0 && keep <= 1)) {
      throw new UsageException("--keep must be in (0, 1], got " + a.get("--keep"));
    }
    PruneSettings settings = recipeSettings.with(method, keep);
    TrainingSettings training = Recipes.training(recipe);
    nnzip.artifact.AtomicOutput.checkWritable(nnzip.io.HadoopFiles.fileSystem(outPath),
        nnzip.io.HadoopFiles.qualify(outPath), a.has("--overwrite"));
    SparkSession spark = SparkSessions.create(a.get("--master"), "nnzip prune", recipe.getBoolean("spark.ui"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      nnzip.Progress progress = msg -> err.println("[nnzip] " + msg);
      PruneJob.Outcome o = PruneJob.run(sc, settings, training, in, outPath, a.has("--overwrite"),
          nnzip.data.DataRef.standard(dataSpec, training.validation(), training.examples()), progress);
      if (a.has("--json")) {
        out.println(json(o, in, outPath).toPrettyString());
      } else {
        table(out, o);
      }
      return Main.OK;
    } finally {
      spark.stop();
    }
  }

  private static void table(PrintStream out, PruneJob.Outcome o) {
    out.printf("%-28s %-18s %17s %21s %25s%n", "layer", "op", "channels", "parameters", "FLOPs");
    for (LayerStats l : o.layers()) {
      out.printf("%-28s %-18s %8d → %6d %10d → %8d %12d → %10d%n", l.layer(), l.op(), l.channelsBefore(),
          l.channelsAfter(), l.paramsBefore(), l.paramsAfter(), l.flopsBefore(), l.flopsAfter());
    }
    out.printf("parameters kept: %.1f%% (%d of %d); FLOPs kept: %.1f%%%n", 100.0 * o.parametersAfter()
        / Math.max(1, o.parametersBefore()), o.parametersAfter(), o.parametersBefore(),
        100.0 * o.flopsAfter() / Math.max(1, o.flopsBefore()));
    out.printf("test accuracy: original %.2f%%, pruned %.2f%% (validation: %.2f%% → %.2f%% right after removal → %.2f%%"
        + " retrained)%n", 100 * o.testOriginal(), 100 * o.testAfter(), 100 * o.validationOriginal(),
        100 * o.validationRemoved(), 100 * o.validationAfter());
  }

  static ObjectNode json(PruneJob.Outcome o, String in, String out) {
    ObjectNode j = new ObjectMapper().createObjectNode();
    j.put("schemaVersion", ReportJson.SCHEMA_VERSION);
    j.put("input", in);
    j.put("output", out);
    j.put("method", o.method().name().toLowerCase(java.util.Locale.ROOT));
    j.put("keep", o.keep());
    j.put("parametersBefore", o.parametersBefore());
    j.put("parametersAfter", o.parametersAfter());
    j.put("parametersRemoved", 1 - (double) o.parametersAfter() / Math.max(1, o.parametersBefore()));
    j.put("flopsBefore", o.flopsBefore());
    j.put("flopsAfter", o.flopsAfter());
    j.put("testAccuracyOriginal", o.testOriginal());
    j.put("testAccuracy", o.testAfter());
    j.put("validationAccuracyOriginal", o.validationOriginal());
    j.put("validationAccuracyRemoved", o.validationRemoved());
    j.put("validationAccuracy", o.validationAfter());
    j.put("seconds", o.seconds());
    ArrayNode layers = j.putArray("layers");
    for (LayerStats l : o.layers()) {
      ObjectNode n = layers.addObject();
      n.put("layer", l.layer());
      n.put("op", l.op());
      n.put("channelsBefore", l.channelsBefore());
      n.put("channelsAfter", l.channelsAfter());
      n.put("parametersBefore", l.paramsBefore());
      n.put("parametersAfter", l.paramsAfter());
      n.put("flopsBefore", l.flopsBefore());
      n.put("flopsAfter", l.flopsAfter());
    }
    return j;
  }
}
