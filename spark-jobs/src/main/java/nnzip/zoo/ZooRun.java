package nnzip.zoo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;
import nnzip.InvalidInputException;
import nnzip.Progress;
import nnzip.Version;
import nnzip.cli.UsageException;
import nnzip.job.KnownDigest;
import nnzip.job.SparkSessions;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * One run of a zoo: decides per model whether it must run (by {@link Fingerprint}), compresses
 * those in one Spark application, {@code parallel-models} at a time on driver threads, and records
 * every outcome in the history. A model's failure is caught in its own thread and recorded; it
 * never stops or changes the others. Spark starts only when a model has to compress.
 */
public final class ZooRun {
  /** Longest failure reason kept in the history, in characters. */
  static final int MAX_REASON = 300;

  private final ZooManifest manifest;
  private final String master;
  private final Progress progress;
  private final Function<Throwable, String> messages;
  private final Predicate<Throwable> retryable;
  private final ZooLayout layout;
  private final History history;
  private final String runId;
  private final Digester digester;
  private SparkSession spark;

  /** How a model's source digest is computed ({@link SourceDigest#of}; tests count the calls). */
  interface Digester {
    KnownDigest of(String location) throws IOException;
  }

  /**
   * @param master Spark master URL, or null for spark-submit's or {@code local[*]}
   * @param messages the one-line message of a failure (the CLI's)
   * @param retryable whether a failure may go away on another attempt (not invalid input)
   */
  public ZooRun(ZooManifest manifest, String master, Progress progress, Function<Throwable, String> messages,
      Predicate<Throwable> retryable) {
    this(manifest, master, progress, messages, retryable, SourceDigest::of);
  }

  ZooRun(ZooManifest manifest, String master, Progress progress, Function<Throwable, String> messages,
      Predicate<Throwable> retryable, Digester digester) {
    this.manifest = manifest;
    this.digester = digester;
    this.master = master;
    this.progress = progress;
    this.messages = messages;
    this.retryable = retryable;
    this.layout = new ZooLayout(manifest.out());
    this.history = new History(manifest.out());
    this.runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * What a dry run says about one model.
   *
   * @param source the digest of the model's source that the decision rests on; null when it would fail
   */
  public record Decision(String name, boolean runs, String why, KnownDigest source) {}

  /**
   * What a run would do, touching nothing: each model's decision and reason (or why it would fail).
   * {@link #run(List)} takes the decisions and digests no source again.
   *
   * @throws UsageException for a bad recipe in the manifest
   */
  public List<Decision> dryRun() throws IOException {
    List<ModelRecipe> recipes = manifest.models().stream().map(ModelRecipe::of).toList();
    Map<String, HistoryRecord> good = History.lastGood(history.read());
    List<Decision> out = new ArrayList<>();
    for (ModelRecipe r : recipes) {
      String name = r.model().name();
      try {
        if (Files.isDirectory(manifest.out())) {
          layout.checkConfined(name);
        }
        KnownDigest source = digester.of(r.model().in());
        Reason reason = fingerprint(r, source).against(fingerprintOf(good.get(name)), Files.exists(layout.artifact(name)));
        out.add(new Decision(name, reason != Reason.UNCHANGED, reason.label(), source));
      } catch (Exception e) {
        out.add(new Decision(name, false, "would fail: " + Texts.clip(messages.apply(e), MAX_REASON), null));
      }
    }
    return out;
  }

  /**
   * Runs the zoo and appends one history line per model; rewrites the dashboard at the end.
   *
   * @return the run's records, in manifest order
   * @throws UsageException for a bad recipe, or when another run holds the zoo's lock
   */
  public List<HistoryRecord> run() throws Exception {
    return run(List.of());
  }

  /**
   * As {@link #run()}, reusing the source digests of a {@link #dryRun} just made (the launcher's
   * all-skipped check): each model's source is read once. Whether a model runs is decided again, under
   * the zoo's lock, against the history as it is then.
   *
   * @param checked decisions of {@link #dryRun}; a model without a digest there is digested here
   */
  public List<HistoryRecord> run(List<Decision> checked) throws Exception {
    Map<String, KnownDigest> known = new java.util.HashMap<>();
    checked.stream().filter(d -> d.source() != null).forEach(d -> known.put(d.name(), d.source()));
    List<ModelRecipe> recipes = manifest.models().stream().map(ModelRecipe::of).toList();
    Path out = manifest.out();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new InvalidInputException("cannot create the zoo's output directory " + out + ": " + e.getMessage());
    }
    try (FileChannel lockFile = FileChannel.open(layout.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        throw new UsageException("another zoo run is using " + out + " (it holds " + layout.lock() + ")");
      }
      Map<String, HistoryRecord> good = History.lastGood(history.read());
      progress.report(String.format("zoo: run %s, %d models, %d at a time, into %s", runId, recipes.size(),
          manifest.settings().parallelModels(), out));
      ExecutorService pool = Executors.newFixedThreadPool(manifest.settings().parallelModels(), r -> {
        Thread t = new Thread(r, "nnzip-zoo");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<HistoryRecord>> futures = new ArrayList<>();
        for (ModelRecipe r : recipes) {
          futures.add(pool.submit(() -> model(r, good.get(r.model().name()), known.get(r.model().name()))));
        }
        List<HistoryRecord> records = new ArrayList<>();
        for (Future<HistoryRecord> f : futures) {
          records.add(f.get());
        }
        Dashboard.write(layout.dashboard(), history.read());
        return records;
      } finally {
        pool.shutdownNow();
        synchronized (this) {
          if (spark != null) {
            spark.stop();
          }
        }
      }
    }
  }

  /**
   * One model, start to history line; never throws.
   *
   * @param known the source's digest from the dry run, or null to compute it here
   */
  private HistoryRecord model(ModelRecipe recipe, HistoryRecord lastGood, KnownDigest known) {
    String name = recipe.model().name();
    Progress p = msg -> progress.report("zoo " + name + ": " + msg);
    long t0 = System.nanoTime();
    Fingerprint fingerprint = null;
    HistoryRecord record;
    try {
      layout.checkConfined(name);
      KnownDigest source = known != null ? known : digester.of(recipe.model().in());
      fingerprint = fingerprint(recipe, source);
      Reason reason = fingerprint.against(fingerprintOf(lastGood), Files.exists(layout.artifact(name)));
      if (reason == Reason.UNCHANGED) {
        record = new HistoryRecord(runId, now(), name, Status.SKIPPED, reason.label(), fingerprint, lastGood.bytes(),
            lastGood.sourceBytes(), lastGood.ratio(), lastGood.accuracy(), seconds(t0));
        p.report("skipped (unchanged)");
      } else {
        p.report("start (" + reason.label() + ")");
        record = compress(recipe, source, reason, p, t0);
      }
    } catch (Throwable t) {
      record = failed(name, fingerprint, t, t0);
      p.report("failed: " + record.reason());
    }
    try {
      history.append(record);
    } catch (IOException e) {
      p.report("could not append to " + history.file() + ": " + e.getMessage());
    }
    return record;
  }

  private HistoryRecord compress(ModelRecipe recipe, KnownDigest source, Reason reason, Progress p, long t0) {
    String name = recipe.model().name();
    int attempts = 1 + manifest.settings().retries();
    for (int attempt = 1; ; attempt++) {
      try {
        layout.removeStaleTemps(name);
        Files.createDirectories(layout.modelDir(name));
        layout.checkConfined(name);
        var o = ModelJob.run(spark(), recipe, source, layout.artifact(name).toString(), p);
        var r = o.result();
        Fingerprint f = new Fingerprint(r.provenance().sourceSha256(), recipe.sha256(), r.provenance().nnzipVersion(),
            r.provenance().gitCommit());
        HistoryRecord rec = new HistoryRecord(runId, now(), name, Status.OK, reason.label(), f, r.artifactBytes(),
            r.sourceBytes(), r.ratio(), o.accuracy(), seconds(t0));
        p.report(String.format("done: %.2fx (%d → %d bytes)%s in %.1f s", r.ratio(), r.sourceBytes(),
            r.artifactBytes(), o.accuracy() == null ? "" : String.format(", accuracy %.2f%%", 100 * o.accuracy()),
            rec.seconds()));
        return rec;
      } catch (Throwable t) {
        if (attempt >= attempts || !retryable.test(t)) {
          return failed(name, null, t, t0);
        }
        p.report("attempt " + attempt + " of " + attempts + " failed (" + Texts.clip(messages.apply(t), MAX_REASON)
            + "); trying again");
      }
    }
  }

  private HistoryRecord failed(String name, Fingerprint fingerprint, Throwable t, long t0) {
    return new HistoryRecord(runId, now(), name, Status.FAILED, Texts.clip(messages.apply(t), MAX_REASON), fingerprint,
        null, null, null, null, seconds(t0));
  }

  private static Fingerprint fingerprint(ModelRecipe recipe, KnownDigest source) {
    return new Fingerprint(source.sha256(), recipe.sha256(), Version.version(), Version.commit());
  }

  private static Fingerprint fingerprintOf(HistoryRecord r) {
    return r == null ? null : r.fingerprint();
  }

  /** The one Spark application of the run, started by the first model that needs it. */
  private synchronized JavaSparkContext spark() {
    if (spark == null) {
      spark = SparkSessions.create(master, "nnzip zoo");
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  public String runId() {
    return runId;
  }

  private static String now() {
    return Instant.now().toString();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
