package nnzip.job;

import java.util.Locale;
import java.util.function.LongSupplier;
import nnzip.Progress;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of a pass as one line at most every {@link #INTERVAL_NANOS}: tasks done of submitted,
 * the pass's description (its shard count, set with {@code setJobDescription}), MB/s from the
 * {@value #BYTES_ACCUMULATOR} accumulator the tasks add to, and an ETA from the task rate. A Spark
 * listener on the driver; it sees every job of the context while attached, so attach it around one run.
 */
public final class PassProgress extends SparkListener {
  /** Name of the long accumulator tasks add their source bytes to. */
  public static final String BYTES_ACCUMULATOR = "nnzip: source bytes read";
  /** Least time between two lines, and before the first. */
  static final long INTERVAL_NANOS = 5_000_000_000L;

  private final Progress progress;
  private final LongSupplier clock;
  private String pass = "pass";
  private long passStart;
  private long lastLine;
  private int tasks;
  private int done;
  private long bytes;

  PassProgress(Progress progress, LongSupplier clock) {
    this.progress = progress;
    this.clock = clock;
    this.passStart = clock.getAsLong();
    this.lastLine = passStart;
  }

  /** Registers a listener that reports to {@code progress}; {@link #detach} it when the run ends. */
  public static PassProgress attach(JavaSparkContext sc, Progress progress) {
    PassProgress p = new PassProgress(progress, System::nanoTime);
    sc.sc().addSparkListener(p);
    return p;
  }

  /** Stops reporting. */
  public void detach(JavaSparkContext sc) {
    sc.sc().removeSparkListener(this);
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart job) {
    String description = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
    String name = description != null ? description : "job " + job.jobId();
    if (!name.equals(pass)) { // a new pass: counts restart (a pass may run several jobs)
      pass = name;
      passStart = clock.getAsLong();
      lastLine = passStart;
      tasks = 0;
      done = 0;
      bytes = 0;
    }
  }

  @Override
  public synchronized void onStageSubmitted(SparkListenerStageSubmitted stage) {
    tasks += stage.stageInfo().numTasks();
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.taskInfo() == null || !end.taskInfo().successful()) {
      return;
    }
    done++;
    scala.collection.Iterator<AccumulableInfo> it = end.taskInfo().accumulables().iterator();
    while (it.hasNext()) {
      AccumulableInfo a = it.next();
      if (a.name().isDefined() && BYTES_ACCUMULATOR.equals(a.name().get()) && a.update().isDefined()) {
        bytes += ((Number) a.update().get()).longValue();
      }
    }
    long now = clock.getAsLong();
    if (now - lastLine >= INTERVAL_NANOS) {
      lastLine = now;
      progress.report(line(now));
    }
  }

  /** The progress line at time {@code now}. */
  synchronized String line(long now) {
    double seconds = Math.max(1e-9, (now - passStart) / 1e9);
    String eta = done == 0 || done >= tasks ? "-" : String.format(Locale.ROOT, "%.0f s", seconds * (tasks - done) / done);
    return String.format(Locale.ROOT, "%s: %d/%d tasks, %.1f MB/s, ETA %s", pass, done, tasks,
        bytes / 1e6 / seconds, eta);
  }
}
