package nnzip.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.artifact.Artifact;
import nnzip.artifact.AtomicOutput;
import nnzip.io.HadoopFiles;
import nnzip.io.ModelSource;
import nnzip.io.onnx.OnnxModelFile;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.subspace.Dialer;
import nnzip.subspace.Line;
import nnzip.subspace.LineDescriptor;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code nnzip dial}: the model at one point of a compressible subspace, with no Spark and no training. */
final class DialCommand implements Command {
  @Override
  public String name() {
    return "dial";
  }

  @Override
  public String summary() {
    return "write the model at one point alpha of a compressible subspace (nnzip train --subspace)";
  }

  @Override
  public String help() {
    return """
        usage: nnzip dial --in S.nnz.safetensors --alpha A --out M.onnx [--format onnx|safetensors]
                          [--overwrite]

          --in S           an artifact of nnzip train --subspace
          --alpha A        the point, in [0, 1]: 1 is the most accurate end; 0 the most compressed
                           (unstructured: 2.5% of each weight matrix kept; structured: width 0.25;
                           bits: 3 bits per weight)
          --out M          the model at that point (written atomically)
          --format F       onnx (a standard model; structured points are physically narrower) |
                           safetensors (the same weights by name)                      (onnx)

        The endpoints are decoded as decompress decodes any artifact (every stored byte checked
        against its SHA-256); the validation accuracy measured at points of the line while
        training is printed. On a device, deploy/bin/nnzip-dial S A M.onnx writes the same ONNX
        bytes from a jar of under 300 KB with no Spark, ND4J or Hadoop.
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--in", "--out", "--alpha", "--format"), Set.of("--overwrite"));
    Path in = HadoopFiles.qualify(a.require("--in"));
    Path target = HadoopFiles.qualify(a.require("--out"));
    String alphaText = a.require("--alpha");
    double alpha;
    try {
      alpha = Double.parseDouble(alphaText);
    } catch (NumberFormatException e) {
      throw new UsageException("--alpha expects a number in [0, 1], got '" + alphaText + "'");
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new UsageException("--alpha must be in [0, 1], got " + alphaText);
    }
    String format = a.get("--format") == null ? ModelSource.ONNX : a.get("--format");
    if (!format.equals(ModelSource.SAFETENSORS) && !format.equals(ModelSource.ONNX)) {
      throw new UsageException("--format must be onnx or safetensors, got '" + format + "'");
    }
    FileSystem inFs = HadoopFiles.fileSystem(in.toString());
    FileSystem outFs = HadoopFiles.fileSystem(target.toString());
    AtomicOutput.checkWritable(outFs, target, a.has("--overwrite"));
    if (!inFs.exists(in)) {
      throw new InvalidInputException("no such file: " + in);
    }
    Line line = Dialer.open(Artifact.open(inFs, in));
    byte[] model = line.dial(alpha);
    try (AtomicOutput output = AtomicOutput.create(outFs, target, a.has("--overwrite"))) {
      try (OutputStream os = outFs.create(output.stagingFile(), true)) {
        if (format.equals(ModelSource.ONNX)) {
          os.write(model);
        } else {
          writeSafetensors(OnnxModelFile.parse(model, "the dialed model"), os);
        }
      }
      output.commit();
    }
    for (LineDescriptor.Point p : line.table()) {
      err.printf("[nnzip] alpha %.3f: validation accuracy %.2f%% (measured while training)%n", p.alpha(),
          100 * p.validationAccuracy());
    }
    err.printf("[nnzip] wrote %s: %s line at alpha %s%n", target, line.descriptor().kind().label(), alphaText);
    return Main.OK;
  }

  /** The dialed model's weights as one safetensors file, in graph order. */
  static void writeSafetensors(ModelProto model, OutputStream os) throws java.io.IOException {
    OnnxWeights weights = OnnxWeights.of(model);
    List<TensorSpec> specs = weights.list().stream().map(OnnxWeight::spec).toList();
    try (SafetensorsWriter w = new SafetensorsWriter(os, specs, Map.of())) {
      for (OnnxWeight t : weights.list()) {
        w.writeTensor(t.key(), weights.bytes(t.key()));
      }
      w.finish();
    }
  }
}
