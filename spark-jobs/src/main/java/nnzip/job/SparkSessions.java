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

  /** Whether sessions created from now on log task failures at WARN ({@link #taskFailureLogs}). */
  private static volatile boolean verboseTaskFailures;

  private SparkSessions() {}

  /**
   * The session for a command.
   *
   * @param master master URL from {@code --master}, or null for spark-submit's or {@code local[*]}
   * @param appName application name shown in the Spark UI
   */
  public static SparkSession create(String master, String appName) {
    return create(master, appName, true);
  }

  /**
   * The session for a command, with the Spark UI on or off ({@code spark.ui.enabled}, unless already set).
   *
   * @param ui whether to serve the Spark UI (port 4040 or the next free one)
   */
  public static SparkSession create(String master, String appName, boolean ui) {
    setTaskFailureLevels(verboseTaskFailures);
    SparkConf conf = new SparkConf(true);
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.ui.enabled", Boolean.toString(ui));
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setIfMissing("spark.executor.extraJavaOptions", JAVA17_OPENS);
    conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
    conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
    // Results of a pass are small records; the driver never receives tensor data.
    conf.setIfMissing("spark.driver.maxResultSize", "256m");
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * Spark's loggers that print a failing task's stack trace (the executor, the task set manager and
   * the schedulers), over 100 lines before the CLI's one-line message.
   */
  static final java.util.List<String> TASK_FAILURE_LOGGERS = java.util.List.of(
      "org.apache.spark.executor.Executor", "org.apache.spark.scheduler.TaskSetManager",
      "org.apache.spark.scheduler.TaskSchedulerImpl", "org.apache.spark.scheduler.DAGScheduler",
      "org.apache.spark.scheduler.TaskResultGetter", "org.apache.spark.util.SparkUncaughtExceptionHandler");

  /**
   * Keeps Spark's task-failure logging off the console ({@code verbose} false) or at WARN (true, the
   * level of deploy/conf/log4j2.properties for the rest of Spark) in the sessions created from now on.
   * The CLI's error line says what failed. The levels are set when a session is created, so a command
   * that never starts Spark never configures log4j (658 of the 3,200 classes an all-skipped zoo check
   * loaded).
   */
  public static void taskFailureLogs(boolean verbose) {
    verboseTaskFailures = verbose;
  }

  private static void setTaskFailureLevels(boolean verbose) {
    try {
      org.apache.logging.log4j.Level level = verbose ? org.apache.logging.log4j.Level.WARN
          : org.apache.logging.log4j.Level.OFF;
      for (String logger : TASK_FAILURE_LOGGERS) {
        org.apache.logging.log4j.core.config.Configurator.setLevel(logger, level);
      }
    } catch (LinkageError noLog4jCore) {
      // Another logging backend: its own configuration decides.
    }
  }
}
