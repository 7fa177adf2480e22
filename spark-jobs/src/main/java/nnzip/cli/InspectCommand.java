package nnzip.cli;

import java.io.PrintStream;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.artifact.Manifest;
import nnzip.artifact.ManifestJson;
import nnzip.io.HadoopFiles;
import nnzip.report.CompressionTable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** {@code nnzip inspect}: the manifest of an artifact, as a table or JSON. */
final class InspectCommand implements Command {
  @Override
  public String name() {
    return "inspect";
  }

  @Override
  public String summary() {
    return "show an artifact's manifest (per-tensor codec, bits, error, sizes); --json for machines";
  }

  @Override
  public String help() {
    return """
        usage: nnzip inspect --in ARTIFACT [--json] [--verify]

          --in ARTIFACT    a .nnz.safetensors written by nnzip compress
          --json           print the manifest (plus file size and recipe) as JSON
          --verify         also check the SHA-256 of every stored chunk (reads the whole file)
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("--in"), Set.of("--json", "--verify"));
    Path in = HadoopFiles.qualify(a.require("--in"));
    FileSystem fs = HadoopFiles.fileSystem(in.toString());
    if (!fs.exists(in)) {
      throw new nnzip.InvalidInputException("no such file: " + in);
    }
    Artifact artifact = Artifact.open(fs, in);
    nnzip.artifact.ArtifactBounds.check(artifact); // TODO(format 3): moves into Artifact.open
    if (a.has("--verify")) {
      artifact.verify();
    }
    Manifest m = artifact.manifest();
    if (a.has("--json")) {
      ObjectNode o = ManifestJson.toTree(m);
      o.put("artifactBytes", artifact.fileSize());
      o.put("source", artifact.source());
      o.put("recipe", artifact.recipe());
      if (a.has("--verify")) {
        o.put("verified", true);
      }
      out.println(o.toPrettyString());
    } else {
      out.println("artifact " + in + " (format " + m.formatVersion() + ", source " + m.sourceFormat()
          + (a.has("--verify") ? ", integrity verified" : "") + ")");
      CompressionTable.print(out, m, 0, artifact.fileSize());
    }
    return Main.OK;
  }
}
