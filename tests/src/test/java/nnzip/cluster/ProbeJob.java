package nnzip.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A small deterministic Spark computation over the longs 1..n that touches the main paths of a
 * cluster: tasks generated on executors, a reduce, a range-partitioned shuffle (a sort by a
 * bijective hash) and the executor ids that ran the tasks. {@link #reference(long)} computes the
 * same numbers in plain Java.
 */
public final class ProbeJob {

  /** Only every {@value}-th value is sorted, to keep the shuffle small on a 2-core machine. */
  public static final int SORT_STRIDE = 10;

  private ProbeJob() {}

  /**
   * What the probe computed.
   *
   * @param count how many values
   * @param sumOfSquares sum of v² over v = 1..n
   * @param sortedChecksum sum of (i + 1) · v over the multiples v of {@link #SORT_STRIDE} sorted
   *     by {@link #mix}, i their 0-based rank, wrapping modulo 2⁶⁴: it changes with the order
   * @param executorIds distinct ids of the executors that ran tasks, sorted ("driver" in local
   *     mode, empty for the reference)
   */
  public record Result(long count, long sumOfSquares, long sortedChecksum, List<String> executorIds) {
    /** The computed numbers, without where they were computed. */
    public String fingerprint() {
      return "count=" + count + " sumOfSquares=" + sumOfSquares + " sortedChecksum=" + sortedChecksum;
    }
  }

  /**
   * Runs the probe.
   *
   * @param sc the Spark context
   * @param n values are 1..n, n ≥ 1
   * @param partitions number of partitions of the input and of the sort, ≥ 1
   * @return the result
   */
  public static Result run(JavaSparkContext sc, long n, int partitions) {
    List<Integer> slices = IntStream.range(0, partitions).boxed().toList();
    JavaRDD<Long> values = sc.parallelize(slices, partitions)
        .flatMap(p -> LongStream.rangeClosed(1 + n * p / partitions, n * (p + 1) / partitions)
            .boxed().iterator())
        .cache();
    try {
      long count = values.count();
      long sumOfSquares = values.map(v -> v * v).reduce(Long::sum);
      List<long[]> blocks = values.filter(v -> v % SORT_STRIDE == 0)
          .sortBy(ProbeJob::mix, true, partitions)
          .mapPartitionsWithIndex((p, it) -> List.of(block(p, it)).iterator(), false)
          .collect();
      long sortedChecksum = checksum(blocks);
      TreeSet<String> executors = new TreeSet<>(values
          .mapPartitions(it -> List.of(SparkEnv.get().executorId()).iterator())
          .collect());
      return new Result(count, sumOfSquares, sortedChecksum, List.copyOf(executors));
    } finally {
      values.unpersist(false);
    }
  }

  /**
   * The same numbers, computed sequentially without Spark.
   *
   * @param n values are 1..n, n ≥ 1
   * @return the result, with no executor ids
   */
  public static Result reference(long n) {
    long sumOfSquares = 0;
    List<Long> sorted = new ArrayList<>();
    for (long v = 1; v <= n; v++) {
      sumOfSquares += v * v;
      if (v % SORT_STRIDE == 0) {
        sorted.add(v);
      }
    }
    sorted.sort(Comparator.comparingLong(ProbeJob::mix));
    long sortedChecksum = 0;
    for (int i = 0; i < sorted.size(); i++) {
      sortedChecksum += (i + 1L) * sorted.get(i);
    }
    return new Result(n, sumOfSquares, sortedChecksum, List.of());
  }

  /** One sorted partition: {index, count, Σ v, Σ (local rank + 1) · v}. */
  private static long[] block(int partition, Iterator<Long> sorted) {
    long count = 0;
    long sum = 0;
    long weighted = 0;
    while (sorted.hasNext()) {
      long v = sorted.next();
      count++;
      sum += v;
      weighted += count * v;
    }
    return new long[] {partition, count, sum, weighted};
  }

  /** Joins the blocks in partition order: a value's global rank is its block's offset plus its local rank. */
  private static long checksum(List<long[]> blocks) {
    List<long[]> ordered = new ArrayList<>(blocks);
    ordered.sort(Comparator.comparingLong(b -> b[0]));
    long offset = 0;
    long checksum = 0;
    for (long[] b : ordered) {
      checksum += b[3] + offset * b[2];
      offset += b[1];
    }
    return checksum;
  }

  /** SplitMix64's finalizer: a bijection on longs, so the sort has no ties. */
  static long mix(long x) {
    long z = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
