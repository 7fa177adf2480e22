package nnzip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import nnzip.zoo.History;
import nnzip.zoo.HistoryRecord;
import nnzip.zoo.Status;
import nnzip.zoo.ZooManifest;
import nnzip.zoo.ZooModel;
import nnzip.zoo.ZooRun;

/** {@code nnzip zoo}: compress every model of a manifest in one Spark application; {@code zoo status}: the last outcomes. */
final class ZooCommand implements Command {
  /** Exit code of a zoo run in which some model failed (the others were still done). */
  static final int SOME_FAILED = 4;
  /** Exit code of {@code --only-if-unchanged} when some model must compress: nothing was done. */
  static final int SOME_CHANGED = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "zoo";
  }

  @Override
  public String summary() {
    return "compress the models of a zoo manifest in one Spark application, incrementally (zoo status: last outcomes)";
  }

  @Override
  public String help() {
    return """
        usage: nnzip zoo --manifest ZOO.conf [--master URL] [--json] [--dry-run | --only-if-unchanged]
               nnzip zoo status --manifest ZOO.conf [--json]

          --manifest F     the zoo (HOCON):
                             out = DIR                     artifacts, history and dashboard go here
                             parallel-models = 2           models compressed at once (1..64)
                             retries = 1                   extra attempts of a model that failed with
                                                           anything but invalid input (0..10)
                             defaults { recipe, set { k = v }, data }   for every model
                             models = [ { name = m, in = PATH, recipe = R, set { bits = 4 }, data = D } ]
                           relative paths are taken from the manifest's folder; a name is letters, digits,
                           '.', '_', '-' (no '..', '/', absolute path): it names DIR/<name>/
          --master URL     Spark master of the one application (default: spark-submit's, else local[*])
          --json           print the run's records (or the status) as JSON
          --dry-run        say which models would run and why (new, source changed, recipe changed,
                           version changed, artifact missing) or be skipped (unchanged); writes nothing
          --only-if-unchanged  run only if every model would be skipped (records them, no Spark at all);
                           else exit 10 and write nothing. The launcher runs this in a plain JVM before
                           spark-submit, so a night with nothing to do costs one JVM start

        Each model's artifact is DIR/<name>/<name>.nnz.safetensors, replaced atomically; DIR/_history.jsonl
        gets one JSON line per model per run; DIR/index.html is a dashboard that opens without a server.
        A model is skipped when its source bytes (SHA-256), resolved recipe and data, and nnzip version
        and build are those of its last good run and its artifact exists. A missing, corrupt or failing
        model, or one whose DIR/<name> is a symbolic link out of DIR, is recorded as failed and the others
        go on. A run killed at any point leaves no partial artifact; the next run does what is left.

        exit codes: 0 every model ok or skipped, 4 some model failed (see the history), 10 with
        --only-if-unchanged: some model would compress (nothing done), 2 bad manifest
        or usage (unknown key, bad recipe, another run holds DIR/_zoo.lock), 3 invalid manifest input
        (a bad or duplicate name), 1 other failure
        """;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    boolean status = argv.length > 0 && argv[0].equals("status");
    String[] rest = status ? Arrays.copyOfRange(argv, 1, argv.length) : argv;
    Args a = status ? Args.parse(rest, Set.of("--manifest"), Set.of("--json"))
        : Args.parse(rest, Set.of("--manifest", "--master"), Set.of("--json", "--dry-run", "--only-if-unchanged"));
    ZooManifest manifest = ZooManifest.read(Path.of(a.require("--manifest")));
    if (status) {
      return status(manifest, a.has("--json"), out);
    }
    ZooRun run = new ZooRun(manifest, a.get("--master"), msg -> err.println("[nnzip] " + msg), Main::message,
        t -> Main.exitCode(t) == Main.FAILURE);
    if (a.has("--dry-run")) {
      List<ZooRun.Decision> decisions = run.dryRun();
      if (a.has("--json")) {
        ArrayNode arr = JSON.createArrayNode();
        decisions.forEach(d -> arr.addObject().put("name", d.name()).put("runs", d.runs()).put("why", d.why()));
        out.println(arr.toPrettyString());
      } else {
        decisions.forEach(d -> out.printf("%-24s %-5s %s%n", d.name(), d.runs() ? "run" : "skip", d.why()));
      }
      return Main.OK;
    }
    List<ZooRun.Decision> checked = List.of();
    if (a.has("--only-if-unchanged")) {
      checked = run.dryRun();
      if (checked.stream().anyMatch(ZooRun.Decision::runs)) {
        return SOME_CHANGED;
      }
    }
    // The check's digests serve the run: each source is read once.
    List<HistoryRecord> records = run.run(checked);
    if (a.has("--json")) {
      ObjectNode o = JSON.createObjectNode();
      o.put("runId", run.runId());
      o.put("out", manifest.out().toString());
      ArrayNode arr = o.putArray("models");
      records.forEach(r -> arr.add(r.toJson()));
      for (Status s : Status.values()) {
        o.put(s.label(), records.stream().filter(r -> r.status() == s).count());
      }
      out.println(o.toPrettyString());
    } else {
      table(records, out);
    }
    return records.stream().anyMatch(r -> r.status() == Status.FAILED) ? SOME_FAILED : Main.OK;
  }

  private static int status(ZooManifest manifest, boolean json, PrintStream out) throws Exception {
    Map<String, HistoryRecord> last = History.last(new History(manifest.out()).read());
    if (json) {
      ObjectNode o = JSON.createObjectNode();
      o.put("out", manifest.out().toString());
      ArrayNode arr = o.putArray("models");
      for (ZooModel m : manifest.models()) {
        HistoryRecord r = last.get(m.name());
        arr.add(r != null ? r.toJson() : JSON.createObjectNode().put("name", m.name()).putNull("status"));
      }
      out.println(o.toPrettyString());
    } else {
      table(manifest.models().stream().map(m -> last.get(m.name())).filter(r -> r != null).toList(), out);
      manifest.models().stream().filter(m -> !last.containsKey(m.name()))
          .forEach(m -> out.printf("%-24s %-8s%n", m.name(), "never run"));
    }
    return Main.OK;
  }

  private static void table(List<HistoryRecord> records, PrintStream out) {
    out.printf("%-24s %-8s %9s %9s %8s  %s%n", "model", "status", "ratio", "accuracy", "seconds", "reason");
    for (HistoryRecord r : records) {
      out.printf(Locale.ROOT, "%-24s %-8s %9s %9s %8.1f  %s%n", r.name(), r.status().label(),
          r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()),
          r.accuracy() == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * r.accuracy()), r.seconds(), r.reason());
    }
  }
}
