package nnzip.cluster;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A main class for {@code spark-submit} whose job fails in a task on an executor, and which lets
 * the exception escape {@code main} without stopping its context, as a careless job would.
 */
public final class FailingProbe {

  /** Text of the exception the task throws. */
  public static final String MESSAGE = "nnzip probe task failed on purpose";

  private FailingProbe() {}

  public static void main(String[] args) {
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("nnzip-failing-probe"));
    sc.parallelize(List.of(1, 2, 3, 4), 2)
        .foreach(x -> {
          if (x == 3) {
            throw new IllegalStateException(MESSAGE);
          }
        });
  }
}
