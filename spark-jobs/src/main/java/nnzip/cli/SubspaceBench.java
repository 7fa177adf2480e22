package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.Progress;
import nnzip.bench.SubspaceBenchmark;
import nnzip.config.Recipes;
import nnzip.data.DataRef;
import nnzip.job.SparkSessions;
import nnzip.model.Architecture;
import nnzip.subspace.SubspaceKind;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** {@code nnzip bench subspace}: see {@link SubspaceBenchmark}; writes bench-subspace.json and .html. */
final class SubspaceBench {
  private SubspaceBench() {}

  static final String USAGE = """
               nnzip bench subspace [--arch lenet5 | --init M.onnx] [--kinds unstructured,structured,bits] [--data D]
                                    [--recipe R] [--set k=v]... [--dir DIR] [--json-out FILE] [--master URL]
          subspace  for each kind, trains a line and, at each of the subspace.table budgets, an
                individually trained model with the same epochs (subspace.* and finetune.* keys), in one
                run: test accuracy of the line dialed from its artifact and of each model, the line
                artifact's bytes against the full-budget model compressed with the same recipe
                (bench-subspace.json, and the accuracy-vs-budget plot in bench-subspace.html). With
                --init, both endpoints start from the trained model and each individual model is it
                compressed at the budget and finetuned there for the same epochs; a structured line and
                its individual models start from the model with its channels in subspace.channel-order.
        """;

  static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--arch", "--init", "--kinds", "--data", "--recipe", "--set", "--dir", "--json-out", "--master"),
        Set.of());
    Architecture arch;
    List<SubspaceKind> kinds = new ArrayList<>();
    try {
      arch = Architecture.parse(a.get("--arch") == null ? "lenet5" : a.get("--arch"));
      for (String k : (a.get("--kinds") == null ? "unstructured,structured,bits" : a.get("--kinds")).split(",")) {
        kinds.add(SubspaceKind.parse(k));
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (a.get("--arch") != null && a.get("--init") != null) {
      throw new UsageException("bench subspace takes --arch ARCH (from scratch) or --init M.onnx, not both");
    }
    byte[] init = a.get("--init") == null ? null
        : nnzip.io.onnx.OnnxModelFile.readInput(a.get("--init"), "bench subspace --init needs an ONNX model")
            .toByteArray();
    Config recipe = Recipes.resolve(a.get("--recipe"), a.all("--set"));
    // Read (and checked) before anything runs: the learning rate (from a model) and the points per step
    // can differ by kind; the rest is the same for every kind.
    Map<SubspaceKind, nnzip.train.TrainingSettings> trainings = new java.util.EnumMap<>(SubspaceKind.class);
    Map<SubspaceKind, nnzip.subspace.SubspaceSettings> settings = new java.util.EnumMap<>(SubspaceKind.class);
    SubspaceTrain.Options o = null;
    for (SubspaceKind k : kinds) {
      SubspaceTrain.Options ok = SubspaceTrain.Options.of(recipe, k);
      o = o == null ? ok : o;
      trainings.put(k, init != null ? ok.trainingFromModel() : ok.training());
      settings.put(k, init != null ? ok.settingsFromModel() : ok.settings());
    }
    SubspaceTrain.checkTeacher(o, init != null);
    java.nio.file.Path dir = a.get("--dir") != null ? java.nio.file.Path.of(a.get("--dir"))
        : Files.createTempDirectory("nnzip-bench-subspace");
    Files.createDirectories(dir);
    Progress progress = msg -> err.println("[nnzip] " + msg);
    DataRef data = DataRef.standard(a.get("--data") == null ? "fashion-mnist" : a.get("--data"),
        o.training().validation(), o.training().examples());
    SparkSession spark = SparkSessions.create(a.get("--master"), "nnzip bench subspace");
    Map<String, Object> report;
    try {
      report = SubspaceBenchmark.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), arch, init,
          a.get("--init") == null ? null : java.nio.file.Path.of(a.get("--init")).getFileName().toString(), kinds,
          settings::get, trainings::get,
          o.table(), o.sharedInit(), o.channelOrder(), Recipes.settings(recipe), o.difference(), Recipes.render(recipe), data, dir, progress);
    } finally {
      spark.stop();
    }
    String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    String target = a.get("--json-out") != null ? a.get("--json-out") : "bench-subspace.json";
    Files.writeString(java.nio.file.Path.of(target), json);
    String html = target.endsWith(".json") ? target.substring(0, target.length() - 5) + ".html" : target + ".html";
    Files.writeString(java.nio.file.Path.of(html), SubspaceBenchmark.html(report));
    out.println(json);
    err.println("[nnzip] wrote " + target + " and " + html);
    return Main.OK;
  }
}
