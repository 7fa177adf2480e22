package nnzip.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.artifact.Manifest;
import nnzip.io.HadoopFiles;
import nnzip.report.CompressionTable;
import nnzip.report.ReportJson;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

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
          --json           print the report as JSON (the schema of compress --json)
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
    if (a.has("--verify")) {
      artifact.verify();
    }
    Manifest m = artifact.manifest();
    if (a.has("--json")) {
      nnzip.artifact.Provenance provenance = artifact.provenance();
      ObjectNode o = ReportJson.of(m, a.require("--in"), artifact.recipe(), provenance,
          provenance == null || provenance.sourceBytes() <= 0 ? -1 : provenance.sourceBytes(), artifact.fileSize());
      o.put("verified", a.has("--verify"));
      out.println(o.toPrettyString());
    } else {
      out.println("artifact " + in + " (format " + m.formatVersion() + ", source " + m.sourceFormat()
          + (a.has("--verify") ? ", integrity verified" : "") + ")");
      CompressionTable.print(out, m, 0, artifact.fileSize());
    }
    return Main.OK;
  }
}
