package nnzip.job;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the Spark session the CLI runs on: the cluster's when launched by spark-submit (which
 * sets {@code spark.master}), else embedded {@code local[*]} or the master given on the command line.
 */
public final class SparkSessions {
  /** JVM options Spark 4 needs on Java 17, for executors started by a cluster. */
  public static final String JAVA17_OPENS = String.join(" ",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED");

  private SparkSessions() {}

  /**
   * The session for a command.
   *
   * @param master master URL from {@code --master}, or null for spark-submit's or {@code local[*]}
   * @param appName application name shown in the Spark UI
   */
  public static SparkSession create(String master, String appName) {
    SparkConf conf = new SparkConf(true);
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.ui.enabled", "false");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setIfMissing("spark.executor.extraJavaOptions", JAVA17_OPENS);
    conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
    conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
    // Results of a pass are small records; the driver never receives tensor data.
    conf.setIfMissing("spark.driver.maxResultSize", "256m");
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
