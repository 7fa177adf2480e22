package nnzip.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactRestorer;
import nnzip.artifact.AtomicOutput;
import nnzip.artifact.TensorRecord;
import nnzip.io.HadoopFiles;
import nnzip.io.ModelSource;
import nnzip.io.safetensors.SafetensorsReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code nnzip decompress}: an artifact back to dense safetensors or a runnable ONNX model. */
final class DecompressCommand implements Command {
  @Override
  public String name() {
    return "decompress";
  }

  @Override
  public String summary() {
    return "restore dense weights (safetensors) or the full ONNX model from an artifact";
  }

  @Override
  public String help() {
    return """
        usage: nnzip decompress --in ARTIFACT --out OUT [--format safetensors|onnx] [--overwrite]

          --in ARTIFACT    a .nnz.safetensors written by nnzip compress
          --out OUT        dense model to write (atomically)
          --format F       safetensors: every tensor with its original name, shape and dtype;
                           onnx: the original graph with its weights restored in place (only for
                           artifacts compressed from ONNX). Default: the source's format.
          --overwrite      replace OUT if it exists

        The artifact's integrity is checked first (SHA-256 of every stored chunk); a corrupt
        artifact is rejected (exit 3) and nothing is written.
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--in", "--out", "--format"), Set.of("--overwrite"));
    Path in = HadoopFiles.qualify(a.require("--in"));
    Path target = HadoopFiles.qualify(a.require("--out"));
    FileSystem inFs = HadoopFiles.fileSystem(in.toString());
    FileSystem outFs = HadoopFiles.fileSystem(target.toString());
    String format = a.get("--format");
    if (format != null && !format.equals(ModelSource.SAFETENSORS) && !format.equals(ModelSource.ONNX)) {
      throw new UsageException("--format must be safetensors or onnx, got '" + format + "'");
    }
    AtomicOutput.checkWritable(outFs, target, a.has("--overwrite"));
    if (!inFs.exists(in)) {
      throw new nnzip.InvalidInputException("no such file: " + in);
    }
    Artifact artifact = Artifact.open(inFs, in);
    if (format == null) {
      format = artifact.manifest().graphKey() != null ? ModelSource.ONNX : ModelSource.SAFETENSORS;
    }
    if (format.equals(ModelSource.ONNX) && artifact.manifest().graphKey() == null) {
      throw new UsageException(in + " was compressed from " + artifact.manifest().sourceFormat()
          + " and holds no ONNX graph; use --format safetensors");
    }
    err.println("[nnzip] verifying " + in.getName());
    artifact.verify();
    try (AtomicOutput output = AtomicOutput.create(outFs, target, a.has("--overwrite"))) {
      if (format.equals(ModelSource.ONNX)) {
        writeOnnx(artifact, outFs, output.stagingFile());
      } else {
        nnzip.artifact.DenseSafetensors.write(artifact, outFs.create(output.stagingFile(), true));
      }
      output.commit();
    }
    err.println("[nnzip] wrote " + target + " (" + artifact.manifest().tensors().size() + " tensors, " + format + ")");
    return Main.OK;
  }

  private static void writeOnnx(Artifact artifact, FileSystem fs, Path file) throws Exception {
    try (OutputStream os = fs.create(file, true)) {
      os.write(ArtifactRestorer.toOnnxBytes(artifact));
    }
  }

}
