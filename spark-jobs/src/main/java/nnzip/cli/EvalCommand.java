package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactRestorer;
import nnzip.artifact.TensorRecord;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.TrainingGraph;
import nnzip.train.WeightPlan;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code nnzip eval}: top-1 accuracy of an ONNX model or of an artifact's decoded weights. */
final class EvalCommand implements Command {
  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "top-1 accuracy of an ONNX model or an artifact on a data set's test split";
  }

  @Override
  public String help() {
    return """
        usage: nnzip eval --model M.onnx|A.nnz.safetensors [--graph M.onnx] [--data fashion-mnist|PATH] [--json]

          --model M        an ONNX model, or an artifact (its decoded weights are evaluated)
          --graph G        the ONNX graph for an artifact compressed from safetensors (artifacts
                           compressed from ONNX carry their graph)
          --data D         fashion-mnist, an .npz file or a directory of IDX files   (fashion-mnist)
          --json           print the result as JSON on stdout

        Runs nnzip's own ONNX importer (SameDiff) on the test split.
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--model", "--graph", "--data"), Set.of("--json"));
    String modelPath = a.require("--model");
    DataRef data = DataRef.standard(a.get("--data") == null ? "fashion-mnist" : a.get("--data"), 0.1, 0);
    ModelProto model = load(modelPath, a.get("--graph"));
    long start = System.nanoTime();
    Dataset test = data.load().test();
    TrainingGraph g = new GraphSetup(model.toByteArray(), WeightPlan.allTrainable(Set.of()), GraphMode.INFERENCE).build();
    double accuracy = Evaluation.accuracy(g, test);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (a.has("--json")) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("model", modelPath);
      o.put("data", data.spec());
      o.put("examples", test.n());
      o.put("accuracy", accuracy);
      o.put("seconds", seconds);
      out.println(o.toPrettyString());
    } else {
      out.printf("%s: top-1 accuracy %.2f%% on %d test examples of %s%n", modelPath, 100 * accuracy, test.n(),
          data.spec());
    }
    return Main.OK;
  }

  /** The runnable model: an ONNX file, or an artifact's graph with its decoded weights. */
  static ModelProto load(String modelPath, String graphPath) throws Exception {
    Path p = HadoopFiles.qualify(modelPath);
    FileSystem fs = HadoopFiles.fileSystem(p.toString());
    if (!fs.exists(p)) {
      throw new InvalidInputException("no such file: " + p);
    }
    if (!p.getName().endsWith(".safetensors")) {
      return OnnxModelFile.read(fs, p);
    }
    Artifact artifact = Artifact.open(fs, p);
    artifact.verify();
    if (artifact.manifest().graphKey() != null) {
      return OnnxModelFile.parse(ArtifactRestorer.toOnnxBytes(artifact), p.toString());
    }
    if (graphPath == null) {
      throw new UsageException(p + " holds no ONNX graph (compressed from " + artifact.manifest().sourceFormat()
          + "); give --graph M.onnx");
    }
    Path gp = HadoopFiles.qualify(graphPath);
    ModelProto graph = OnnxModelFile.read(HadoopFiles.fileSystem(gp.toString()), gp);
    Map<String, byte[]> weights = new LinkedHashMap<>();
    for (TensorRecord t : artifact.manifest().tensors()) {
      weights.put(t.spec().name(), ArtifactRestorer.restoreToBytes(artifact, t));
    }
    return OnnxModelFile.replaceWeights(graph, weights);
  }
}
