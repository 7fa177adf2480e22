package nnzip.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.io.PrintStream;
import java.util.Set;
import nnzip.compress.CompressionSettings;
import nnzip.config.Recipes;
import nnzip.job.CompressJob;
import nnzip.job.ModelPipeline;
import nnzip.job.SparkSessions;
import nnzip.report.CompressionTable;
import nnzip.report.ReportJson;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** {@code nnzip compress}: a model in, an artifact out, on Spark. */
final class CompressCommand implements Command {
  @Override
  public String name() {
    return "compress";
  }

  @Override
  public String summary() {
    return "compress a model (safetensors, sharded safetensors or ONNX) into a .nnz.safetensors artifact";
  }

  @Override
  public String help() {
    return """
        usage: nnzip compress --in IN --out OUT [--recipe NAME|FILE] [--set key=value]... [--data D]
                              [--master URL] [--overwrite] [--json]

          --in IN          model: a .safetensors file, a model.safetensors.index.json (or a directory
                           holding one), or an .onnx file; any Hadoop path (file://, hdfs://, s3a://)
          --out OUT        artifact to write (conventionally *.nnz.safetensors); written atomically
          --recipe R       bundled recipe (%s) or a HOCON file
          --set k=v        override one recipe key (repeatable); unknown keys are an error
          --data D         data set for finetuning (finetune.epochs > 0): fashion-mnist, an .npz file
                           or a directory of IDX files; needs an ONNX model as --in
          --master URL     Spark master (default: spark-submit's, else local[*])
          --overwrite      replace OUT if it exists
          --json           print the report as JSON on stdout instead of the table (the schema of
                           inspect --json: nnzip.report.ReportJson)

        recipe keys (defaults in conf/reference.conf):
          codec            uniform | dp | passthrough                 (uniform)
                           dp = optimal levels (exact 1-D k-means by dynamic programming)
          bits             bits per weight of scalar codecs, 1..16     (8)
          scope            channel | tensor | global                   (channel)
          dp.scope         scope of dp's levels; global = one codebook for the model   (= scope)
          dp.bins          bins the DP runs on (tensor/global scope), 2..65536        (65536)
          aq.dim / aq.codebooks / aq.codebook-bits   subvector d, M codebooks, b bits (2^b codewords)
                           bits/weight = M·b/d; presets aq-1bit, aq-1.5bit, aq-2bit, aq-3bit, aq-4bit
          aq.beam / aq.iterations / aq.lambda / aq.tolerance / aq.normalize / aq.scope (global | tensor)
          passthrough.patterns / min-elements / max-rank: tensors kept in full precision
          entropy          none | cabac: arithmetic coding of the code streams (none)
          allow-non-finite reject (false) or pass through (true) tensors with NaN/Inf
          shard-bytes      source bytes per encode task                (64m)
          partitions       encode partitions, 0 = default parallelism  (0)
          seed             seed of random choices                      (42)
          finetune.epochs / lr / schedule / optimizer / momentum / batch / chunk / validation / steps-per-round
                           finetuning on the task loss with codes frozen (epochs 0 = off); a
                           checkpoint OUT.ckpt is written every round and resumed from after a crash
          finetune.dp-net.lambda / epochs   DP-Net's clustering regularizer before dp quantization
          finetune.qat.epochs   quantization-aware training (straight through the dp levels) before
                   dp quantization; with prune, in its last epochs (needs codec dp, dp.scope
                   tensor or channel, bits ≤ 8)
          finetune.prune.sparsity / epochs / scope / ramp   magnitude pruning before quantization
          finetune.distill.alpha / temperature   the original model as teacher (alpha 0 = off)
          structured.method / keep / gate-epochs / retrain-epochs / ...   structured pruning before
                   the codec (keep < 1; as nnzip prune: channels physically removed; needs --data)
        """.formatted(String.join(", ", Recipes.bundledNames()));
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--in", "--out", "--recipe", "--set", "--master", "--data"), Set.of("--overwrite", "--json"));
    String in = a.require("--in");
    String outPath = a.require("--out");
    Config recipe = Recipes.resolve(a.get("--recipe"), a.all("--set"));
    CompressionSettings settings = Recipes.settings(recipe);
    nnzip.train.TrainingSettings training = Recipes.training(recipe);
    boolean finetune = training.trains();
    nnzip.prune.PruneSettings structured = Recipes.pruneSettings(recipe);
    if (training.qatEpochs() > 0 && (settings.codec() != nnzip.codec.CodecKind.DP
        || settings.scope() == nnzip.codec.Scope.GLOBAL || settings.bits() > 8)) {
      throw new UsageException("finetune.qat needs codec = dp with dp.scope = tensor or channel and bits ≤ 8 (it"
          + " trains through each tensor's or channel's dp levels, re-solved every round), got codec "
          + recipe.getString("codec") + (settings.codec() == nnzip.codec.CodecKind.DP
              ? ", dp.scope " + recipe.getString("dp.scope") + ", bits " + settings.bits() : ""));
    }
    if ((finetune || structured.prunes()) && a.get("--data") == null) {
      throw new UsageException("training (structured.keep < 1, finetune.epochs, finetune.prune, finetune.dp-net or"
          + " finetune.qat) needs --data (e.g. --data fashion-mnist)");
    }
    if (!finetune && !structured.prunes() && a.get("--data") != null) {
      throw new UsageException("--data is only used for training; set finetune.epochs > 0 (or structured.keep < 1,"
          + " finetune.prune, finetune.dp-net or finetune.qat)");
    }
    nnzip.artifact.AtomicOutput.checkWritable(nnzip.io.HadoopFiles.fileSystem(outPath),
        nnzip.io.HadoopFiles.qualify(outPath), a.has("--overwrite"));
    SparkSession spark = SparkSessions.create(a.get("--master"), "nnzip compress", recipe.getBoolean("spark.ui"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      nnzip.Progress progress = msg -> err.println("[nnzip] " + msg);
      String rendered = Recipes.render(recipe);
      ModelPipeline.Outcome outcome = new ModelPipeline(settings, training, structured, rendered)
          .run(sc, in, outPath, a.has("--overwrite"), a.get("--data"), progress);
      CompressJob.Result r = outcome.result();
      nnzip.job.FinetuneJob.Outcome tuned = outcome.tuned();
      nnzip.job.PruneJob.Outcome pruned = outcome.pruned();
      if (a.has("--json")) {
        ObjectNode o = ReportJson.of(r.manifest(), outPath, rendered, r.provenance(), r.sourceBytes(), r.artifactBytes());
        o.put("seconds", r.seconds());
        if (tuned != null) {
          ReportJson.putFinetune(o, tuned);
        }
        if (pruned != null) {
          o.set("structured", PruneCommand.json(pruned, in, null));
        }
        out.println(o.toPrettyString());
      } else {
        if (pruned != null) {
          out.printf("structured pruning (%s): %d of %d parameters kept in the weighted layers, FLOPs %.1f%%; test"
              + " accuracy %.2f%% → %.2f%%%n", pruned.method().name().toLowerCase(java.util.Locale.ROOT),
              pruned.parametersAfter(), pruned.parametersBefore(), 100.0 * pruned.flopsAfter()
                  / Math.max(1, pruned.flopsBefore()), 100 * pruned.testOriginal(), 100 * pruned.testAfter());
        }
        CompressionTable.print(out, r.manifest(), r.sourceBytes(), r.artifactBytes());
        if (tuned != null) {
          out.printf("test accuracy: original %.2f%%; decoded model %.2f%% before finetuning, %.2f%% after%n",
              100 * tuned.testOriginal(), 100 * tuned.testBefore(), 100 * tuned.testAfter());
        }
      }
      return Main.OK;
    } finally {
      spark.stop();
    }
  }
}
