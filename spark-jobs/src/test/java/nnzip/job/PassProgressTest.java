package nnzip.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PassProgressTest {
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = JavaSparkContext.fromSparkContext(SparkSessions.create("local[2]", "progress test").sparkContext());
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** Runs a pass of {@code tasks} tasks, each adding 1 MB to the bytes accumulator, on a clock that ticks per read. */
  private static List<String> pass(int tasks, long tickNanos) throws Exception {
    AtomicLong now = new AtomicLong();
    List<String> lines = new CopyOnWriteArrayList<>();
    PassProgress p = new PassProgress(lines::add, () -> now.addAndGet(tickNanos));
    sc.sc().addSparkListener(p);
    try {
      LongAccumulator bytes = sc.sc().longAccumulator(PassProgress.BYTES_ACCUMULATOR);
      sc.setJobDescription("scan: " + tasks + " shards");
      sc.parallelize(java.util.stream.IntStream.range(0, tasks).boxed().toList(), tasks)
          .foreach(i -> bytes.add(1_000_000));
      // The listener bus is asynchronous: wait until it has seen every task.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!p.line(0).contains(" " + tasks + "/" + tasks + " tasks") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      sc.sc().removeSparkListener(p);
      sc.setJobDescription(null);
    }
    return lines;
  }

  @Test
  void aSlowPassPrintsTasksRateAndEtaOnEachIntervalAndAQuickOneNothing() throws Exception {
    // Each clock read advances 3 s: the pass start, then one read per finished task.
    List<String> lines = pass(8, 3_000_000_000L);
    assertTrue(lines.size() >= 3 && lines.size() <= 4, lines.toString());
    Pattern form = Pattern.compile("scan: 8 shards: (\\d+)/8 tasks, ([0-9.]+) MB/s, ETA (-|\\d+ s)");
    int previous = 0;
    for (String line : lines) {
      Matcher m = form.matcher(line);
      assertTrue(m.matches(), line);
      int done = Integer.parseInt(m.group(1));
      assertTrue(done > previous, lines.toString());
      previous = done;
      // done MB over done · 3 s (one tick per task after the start): 1/3 MB/s whatever the task.
      assertEquals(1.0 / 3, Double.parseDouble(m.group(2)), 0.051, line);
      if (done < 8) {
        assertEquals((8 - done) * 3 + " s", m.group(3), line); // the task rate projected over the rest
      }
    }
    assertEquals(List.of(), pass(8, 1_000_000L), "a pass shorter than the interval prints nothing");
  }
}
