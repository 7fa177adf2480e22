package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Set;
import nnzip.Progress;
import nnzip.artifact.AtomicOutput;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.job.SparkSessions;
import nnzip.job.TrainingJob;
import nnzip.model.Architecture;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.Optimizer;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingState;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** {@code nnzip train}: a reference architecture trained from scratch on Spark, written as ONNX. */
final class TrainCommand implements Command {
  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a reference model (mlp-300-100, lenet5, vgg-small, resnet20) and write it as ONNX";
  }

  @Override
  public String help() {
    return """
        usage: nnzip train --arch ARCH --out OUT.onnx [--data fashion-mnist|PATH] [--epochs N] [--batch N]
                           [--chunk N] [--lr X] [--schedule cosine|constant] [--optimizer adam|sgd]
                           [--momentum X] [--validation X]
                           [--seed N] [--examples N] [--checkpoint PATH] [--master URL] [--overwrite] [--json]

          --arch ARCH      mlp-300-100 | lenet5 | vgg-small | resnet20
          --data D         fashion-mnist (Debian's dataset-fashion-mnist), an .npz file
                           (x_train, y_train, x_test, y_test) or a directory of IDX files, any
                           Hadoop path                                                  (fashion-mnist)
          --out OUT        ONNX model to write (IR 8, opset 13); runs in ONNX Runtime and PyTorch
          --epochs N       passes over the training split                               (3)
          --batch N        examples per optimizer step                                  (128)
          --chunk N        examples per gradient task; steps are byte-identical whatever the number
                           of executors                                                 (32)
          --lr X           step size                                                    (0.001)
          --schedule S     cosine (annealed to 0 by the last step) | constant           (cosine)
          --optimizer O    adam | sgd                                                   (adam)
          --momentum X     Adam's beta1 or SGD's momentum                               (0.9)
          --validation X   share of the training set held out for validation            (0.1)
          --seed N         seed of initialization and batch order (not of the split)    (1)
          --examples N     use only the first N training examples (0 = all)             (0)
          --checkpoint P   checkpoint file, written every 100 steps and each epoch; an existing
                           checkpoint of the same run is resumed from
          --master URL     Spark master (default: spark-submit's, else local[*])
          --json           print the result as JSON on stdout

        Compressible subspace (one artifact holding a line of models; see nnzip dial):
          nnzip train (--arch ARCH | --init M.onnx) --subspace structured|unstructured|bits
                      --out S.nnz.safetensors [--data D] [--recipe R] [--set key=value]...
          --subspace K     unstructured (alpha = share of each weight matrix kept by magnitude,
                           0.025..1) | structured (width 0.25 + 0.75 alpha, first channels kept) |
                           bits (alpha mapped to 3..8 bits per weight)
          --init M.onnx    start both endpoints from this model (its graph is the architecture;
                           BatchNormalization statistics become per-alpha norm lines; structured:
                           channels first reordered by importance, subspace.channel-order)
          --recipe R       a bundled recipe (line-structured, line-unstructured: the settings
                           of the measured lines, README) or a HOCON file; --set applies after it
          --set k=v        recipe keys subspace.* (epochs, lr, cos-weight, endpoint-probability,
                           alpha-power, points-per-step, warmup-epochs, table, difference-bits,
                           train-stored-difference, norm-anchors, model-cos-weight, model-lr:
                           beta and step size with --init (model-lr.bits / .structured /
                           .unstructured, or one number for all), channel-order: importance |
                           given with --init),
                           finetune.* (batch, chunk, validation, examples), seed and the codec
                           keys the line is stored with (default: w1 uniform 8 bits, w0 - w1 at
                           difference-bits = 2); --epochs, --lr, --batch, ... override them

        The test set is used once, for the final accuracy; validation accuracy is reported per epoch.
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--arch", "--out", "--data", "--epochs", "--batch", "--chunk", "--lr", "--schedule", "--optimizer",
        "--momentum", "--validation", "--seed", "--checkpoint", "--master", "--examples", "--subspace", "--init", "--recipe", "--set"),
        Set.of("--overwrite", "--json"));
    if (a.get("--subspace") != null) {
      return SubspaceTrain.run(a, out, err);
    }
    if (a.get("--init") != null || a.get("--recipe") != null || !a.all("--set").isEmpty()) {
      throw new UsageException("--init, --recipe and --set go with --subspace");
    }
    Architecture arch;
    try {
      arch = Architecture.parse(a.require("--arch"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Path target = HadoopFiles.qualify(a.require("--out"));
    FileSystem outFs = HadoopFiles.fileSystem(target.toString());
    AtomicOutput.checkWritable(outFs, target, a.has("--overwrite"));
    int epochs = a.getInt("--epochs", 3);
    int batch = a.getInt("--batch", 128);
    long seed = a.getInt("--seed", 1);
    Optimizer opt = optimizer(a, 1e-3);
    TrainingOptions t = TrainingOptions.of(a, batch, seed);
    Progress progress = msg -> err.println("[nnzip] " + msg);
    DataRef data = DataRef.standard(a.get("--data") == null ? "fashion-mnist" : a.get("--data"), t.validation(),
        a.getInt("--examples", 0));
    nnzip.data.Datasets loaded = data.load();
    Dataset.Split split = data.split(loaded);
    Dataset test = loaded.test();
    ModelProto model = arch.build(loaded.exampleShape(), split.train().numClasses(), seed);
    GraphSetup setup = new GraphSetup(model.toByteArray(),
        WeightPlan.allTrainable(BatchNormWeights.runningStatistics(model)), GraphMode.TRAINING);
    TrainingGraph init = setup.build();
    TrainingPlan plan = new TrainingPlan(split.train().n(), epochs, Math.min(batch, split.train().n()),
        Math.min(t.chunk(), batch), 100, seed);
    progress.report(arch.cliName() + ": " + init.values().count() + " trainable parameters, " + split.train().n()
        + " training / " + split.validation().n() + " validation examples, " + plan.stepsPerEpoch() + " steps per epoch");
    SparkSession spark = SparkSessions.create(a.get("--master"), "nnzip train");
    long start = System.nanoTime();
    TrainingState done;
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      String fingerprint = "train " + arch.cliName() + " " + data + " " + plan + " " + opt;
      done = TrainingJob.run(sc, new TrainingJob.Spec(setup, data, plan, opt, null, a.get("--checkpoint"), fingerprint),
          TrainingState.start(init.values(), GraphSetup.statistics(init)), split.validation(), progress);
    } finally {
      spark.stop();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ModelProto trained = OnnxModelFile.replaceWeights(model, done.weightBytes());
    TrainingGraph eval = new GraphSetup(trained.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE)
        .build();
    double testAccuracy = Evaluation.accuracy(eval, test);
    try (AtomicOutput output = AtomicOutput.create(outFs, target, a.has("--overwrite"))) {
      try (OutputStream os = outFs.create(output.stagingFile(), true)) {
        trained.writeTo(os);
      }
      output.commit();
    }
    if (a.get("--checkpoint") != null) {
      HadoopFiles.deleteQuietly(HadoopFiles.fileSystem(a.get("--checkpoint")), new Path(a.get("--checkpoint")));
    }
    if (a.has("--json")) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("arch", arch.cliName());
      o.put("out", target.toString());
      o.put("parameters", done.params().count());
      o.put("testAccuracy", testAccuracy);
      o.put("seconds", seconds);
      ArrayNode h = o.putArray("epochs");
      done.history().forEach(e -> h.addObject().put("epoch", e.epoch()).put("trainLoss", e.trainLoss())
          .put("validationAccuracy", e.validationAccuracy()).put("msPerStep", e.millisPerStep()));
      out.println(o.toPrettyString());
    } else {
      out.printf("wrote %s: %s, test accuracy %.2f%% (%d examples), %.1f s%n", target, arch.cliName(), 100 * testAccuracy,
          test.n(), seconds);
    }
    return Main.OK;
  }

  /** The optimizer of --optimizer, --lr and --momentum. */
  static Optimizer optimizer(Args a, double defaultLr) {
    try {
      double lr = a.get("--lr") == null ? defaultLr : Double.parseDouble(a.get("--lr"));
      double momentum = a.get("--momentum") == null ? 0.9 : Double.parseDouble(a.get("--momentum"));
      Optimizer.Kind kind = Optimizer.Kind.parse(a.get("--optimizer") == null ? "adam" : a.get("--optimizer"));
      Optimizer.Schedule schedule = Optimizer.Schedule.parse(a.get("--schedule") == null ? "cosine"
          : a.get("--schedule"));
      return (kind == Optimizer.Kind.ADAM ? new Optimizer(kind, lr, momentum, 0.999, 1e-8) : Optimizer.sgd(lr, momentum))
          .withSchedule(schedule);
    } catch (NumberFormatException e) {
      throw new UsageException("--lr and --momentum expect numbers: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** --chunk and --validation. */
  record TrainingOptions(int chunk, double validation) {
    static TrainingOptions of(Args a, int batch, long seed) {
      int chunk = a.getInt("--chunk", 32);
      double validation;
      try {
        validation = a.get("--validation") == null ? 0.1 : Double.parseDouble(a.get("--validation"));
      } catch (NumberFormatException e) {
        throw new UsageException("--validation expects a number, got '" + a.get("--validation") + "'");
      }
      if (chunk < 1 || batch < 1 || !(validation > 0 && validation < 1)) {
        throw new UsageException("need --batch ≥ 1, --chunk ≥ 1 and --validation in (0, 1)");
      }
      return new TrainingOptions(chunk, validation);
    }
  }
}
