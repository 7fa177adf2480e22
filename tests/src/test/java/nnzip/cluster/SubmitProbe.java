package nnzip.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A main class for {@code spark-submit}: runs {@link ProbeJob} and writes its fingerprint and the
 * executor ids to a file. Arguments: output file, n, partitions.
 */
public final class SubmitProbe {

  private SubmitProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: SubmitProbe <output file> <n> <partitions>");
    }
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("nnzip-submit-probe"));
    try {
      ProbeJob.Result result = ProbeJob.run(sc,
          Long.parseLong(args[1]), Integer.parseInt(args[2]));
      Files.writeString(Path.of(args[0]),
          result.fingerprint() + "\nexecutors=" + String.join(",", result.executorIds()) + "\n");
    } finally {
      sc.stop();
    }
  }
}
