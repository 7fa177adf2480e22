package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import nnzip.Progress;
import nnzip.artifact.AtomicOutput;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.config.Recipes;
import nnzip.data.DataRef;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.job.SparkSessions;
import nnzip.job.SubspaceJob;
import nnzip.model.Architecture;
import nnzip.subspace.ChannelOrder;
import nnzip.subspace.LineDescriptor;
import nnzip.subspace.MagnitudeScope;
import nnzip.subspace.SubspaceKind;
import nnzip.subspace.SubspaceSettings;
import nnzip.train.Optimizer;
import nnzip.train.TrainingSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code nnzip train --subspace KIND}: a compressible subspace trained from scratch ({@code --arch})
 * or from a user's model ({@code --init}), stored as one artifact. Settings come from the recipe's
 * {@code subspace} and {@code finetune} keys; the command's own flags override them.
 */
final class SubspaceTrain {
  private SubspaceTrain() {}

  /**
   * The path of a subspace key for this kind: the key is a number for every kind, or an object with one
   * per kind (reference.conf's default for subspace.model-lr and subspace.points-per-step), of which a
   * --set of a number replaces the whole.
   */
  static String perKind(Config recipe, String key, SubspaceKind kind) {
    return recipe.getValue(key).valueType() == com.typesafe.config.ConfigValueType.OBJECT
        ? key + "." + kind.label() : key;
  }

  /** subspace.model-lr for this kind. */
  static double modelLearningRate(Config recipe, SubspaceKind kind) {
    return recipe.getDouble(perKind(recipe, "subspace.model-lr", kind));
  }

  /** The settings of one run, read from the resolved recipe at the edge. */
  record Options(SubspaceSettings settings, TrainingSettings training, double[] table, boolean sharedInit,
      ScalarCodec difference, double modelCosWeight, TrainingSettings trainingFromModel, ChannelOrder channelOrder) {
    /** The settings of a line started from a user's trained model: β is subspace.model-cos-weight. */
    SubspaceSettings settingsFromModel() {
      return settings.withCosWeight(modelCosWeight);
    }

    static Options of(Config recipe, SubspaceKind kind) {
      try {
        TrainingSettings t = Recipes.training(recipe);
        TrainingSettings training = SubspaceTrain.training(recipe, t, recipe.getDouble("subspace.lr"));
        TrainingSettings fromModel = SubspaceTrain.training(recipe, t, modelLearningRate(recipe, kind));
        int differenceBits = recipe.getInt("subspace.difference-bits");
        if (differenceBits < 1 || differenceBits > 16) {
          throw new IllegalArgumentException("subspace.difference-bits must be in 1..16, got " + differenceBits);
        }
        CodecKind differenceKind = CodecKind.parse(recipe.getString("subspace.difference-codec"));
        if (differenceKind != CodecKind.UNIFORM && differenceKind != CodecKind.DP) {
          throw new IllegalArgumentException("subspace.difference-codec must be uniform or dp, got "
              + differenceKind.label());
        }
        ScalarCodec difference = differenceKind.create(differenceBits);
        SubspaceSettings s = new SubspaceSettings(kind, recipe.getDouble("subspace.cos-weight"),
            recipe.getDouble("subspace.endpoint-probability"), recipe.getDouble("subspace.alpha-power"),
            recipe.getInt(perKind(recipe, "subspace.points-per-step", kind)), recipe.getInt("subspace.warmup-epochs"),
            Double.NaN,
            recipe.getLong("seed"), recipe.getBoolean("subspace.train-stored-difference") ? difference : null,
            recipe.getInt("subspace.norm-anchors"), scope(recipe));
        List<Double> points = recipe.getDoubleList("subspace.table");
        double[] table = new double[points.size()];
        for (int i = 0; i < table.length; i++) {
          table[i] = SubspaceKind.checkAlpha(points.get(i));
          if (i > 0 && !(table[i] > table[i - 1])) {
            throw new IllegalArgumentException("subspace.table must be ascending, got " + points);
          }
        }
        if (training.epochs() < 1) {
          throw new IllegalArgumentException("subspace.epochs must be ≥ 1, got " + training.epochs());
        }
        if (s.warmupEpochs() > training.epochs()) {
          throw new IllegalArgumentException("subspace.warmup-epochs (" + s.warmupEpochs()
              + ") must be ≤ subspace.epochs (" + training.epochs() + ")");
        }
        String init = recipe.getString("subspace.init");
        if (!init.equals("separate") && !init.equals("shared")) {
          throw new IllegalArgumentException("subspace.init must be separate or shared, got '" + init + "'");
        }
        double modelCos = recipe.getDouble("subspace.model-cos-weight");
        if (!(modelCos >= 0 && Double.isFinite(modelCos))) {
          throw new IllegalArgumentException("subspace.model-cos-weight must be finite and ≥ 0, got " + modelCos);
        }
        return new Options(s, training, table, init.equals("shared"), difference, modelCos, fromModel,
            ChannelOrder.parse(recipe.getString("subspace.channel-order")));
      } catch (ConfigException e) {
        throw new UsageException(Recipes.describe(e));
      } catch (IllegalArgumentException e) {
        throw new UsageException("recipe: " + e.getMessage());
      }
    }
  }

  /** subspace.magnitude-scope as its enum. */
  private static MagnitudeScope scope(Config recipe) {
    try {
      return MagnitudeScope.parse(recipe.getString("subspace.magnitude-scope"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("subspace.magnitude-scope: " + e.getMessage());
    }
  }

  /** The line's training settings at step size lr (subspace.optimizer, subspace.epochs, finetune's batch...). */
  private static TrainingSettings training(Config recipe, TrainingSettings t, double lr) {
    Optimizer.Kind k = Optimizer.Kind.parse(recipe.getString("subspace.optimizer"));
    Optimizer opt = (k == Optimizer.Kind.ADAM ? new Optimizer(k, lr, t.optimizer().beta1(), 0.999, 1e-8)
        : Optimizer.sgd(lr, t.optimizer().beta1())).withSchedule(t.optimizer().schedule());
    return new TrainingSettings(recipe.getInt("subspace.epochs"), opt, t.batch(), t.chunk(),
        t.validation(), t.stepsPerRound(), t.seed(), 0, 0, 0, t.examples(), TrainingSettings.Pruning.NONE,
        t.distillation(), t.aqReencode());
  }

  /** The command's flags as recipe overrides, after the --set ones (flags win). */
  static List<String> overrides(Args a) {
    List<String> o = new ArrayList<>(a.all("--set"));
    String[][] map = {{"--epochs", "subspace.epochs"}, {"--lr", a.get("--init") != null ? "subspace.model-lr" : "subspace.lr"}, {"--optimizer", "subspace.optimizer"},
        {"--batch", "finetune.batch"}, {"--chunk", "finetune.chunk"}, {"--validation", "finetune.validation"},
        {"--examples", "finetune.examples"}, {"--seed", "seed"}, {"--schedule", "finetune.schedule"},
        {"--momentum", "finetune.momentum"}};
    for (String[] m : map) {
      if (a.get(m[0]) != null) {
        o.add(m[1] + "=" + a.get(m[0]));
      }
    }
    return o;
  }

  /** Distillation needs a teacher: the trained model a line starts from (--init), never a random one. */
  static void checkTeacher(Options o, boolean fromModel) {
    if (o.training().distillation().enabled() && !fromModel) {
      throw new UsageException("finetune.distill.alpha > 0 needs a trained model to learn from: use --init M.onnx");
    }
  }

  static int run(Args a, PrintStream out, PrintStream err) throws Exception {
    SubspaceKind kind;
    try {
      kind = SubspaceKind.parse(a.require("--subspace"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--subspace: " + e.getMessage());
    }
    if ((a.get("--arch") == null) == (a.get("--init") == null)) {
      throw new UsageException("--subspace needs exactly one of --arch ARCH (from scratch) and --init M.onnx");
    }
    String target = a.require("--out");
    AtomicOutput.checkWritable(HadoopFiles.fileSystem(target), HadoopFiles.qualify(target), a.has("--overwrite"));
    Config recipe = Recipes.resolve(a.get("--recipe"), overrides(a));
    Options o = Options.of(recipe, kind);
    checkTeacher(o, a.get("--init") != null);
    var compression = Recipes.settings(recipe);
    Progress progress = msg -> err.println("[nnzip] " + msg);
    DataRef data = DataRef.standard(a.get("--data") == null ? "fashion-mnist" : a.get("--data"),
        o.training().validation(), o.training().examples());
    byte[] first;
    byte[] second;
    String origin = null;
    if (a.get("--init") != null) {
      origin = a.get("--init");
      first = OnnxModelFile.readInput(origin, "a compressible subspace starts from an ONNX model").toByteArray();
      byte[] given = first;
      first = o.channelOrder().apply(first, kind);
      if (first != given) {
        progress.report("subspace: each channel group's channels put in decreasing order of L1 score"
            + " (subspace.channel-order = " + o.channelOrder().label() + "; the model's outputs are unchanged)");
      }
      second = first;
    } else {
      Architecture arch;
      try {
        arch = Architecture.parse(a.get("--arch"));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      nnzip.data.Datasets loaded = data.load();
      int classes = data.split(loaded).train().numClasses();
      first = arch.build(loaded.exampleShape(), classes, o.training().seed()).toByteArray();
      second = o.sharedInit() ? first
          : arch.build(loaded.exampleShape(), classes, o.training().seed() + 1).toByteArray();
    }
    SparkSession spark = SparkSessions.create(a.get("--master"), "nnzip train --subspace");
    SubspaceJob.Trained trained;
    SubspaceJob.Stored stored;
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      trained = SubspaceJob.train(sc, new SubspaceJob.Spec(first, second,
          origin != null ? o.settingsFromModel() : o.settings(),
          origin != null ? o.trainingFromModel() : o.training(), data, o.table(),
          a.get("--checkpoint"), compression), progress);
      stored = SubspaceJob.write(sc, trained.line(), data, o.difference(), compression, Recipes.render(recipe),
          origin, target, a.has("--overwrite"), progress);
    } finally {
      spark.stop();
    }
    if (a.has("--json")) {
      ObjectNode j = new ObjectMapper().createObjectNode();
      j.put("out", target);
      j.put("subspace", kind.label());
      j.put("artifactBytes", stored.result().artifactBytes());
      j.put("cosine", trained.cosine());
      j.put("seconds", trained.seconds());
      ArrayNode t = j.putArray("table");
      List<LineDescriptor.Point> before = trained.line().table();
      for (int i = 0; i < before.size(); i++) {
        LineDescriptor.Point p = stored.line().table().get(i);
        t.addObject().put("alpha", p.alpha()).put("validationAccuracy", p.validationAccuracy())
            .put("validationAccuracyAsTrained", before.get(i).validationAccuracy());
      }
      out.println(j.toPrettyString());
    } else {
      out.printf("wrote %s: %s subspace, %d bytes, %.1f s of training%n", target, kind.label(),
          stored.result().artifactBytes(), trained.seconds());
      for (LineDescriptor.Point p : stored.line().table()) {
        out.printf("  alpha %.3f: validation accuracy %.2f%% (as stored)%n", p.alpha(), 100 * p.validationAccuracy());
      }
    }
    return Main.OK;
  }
}
