package nnzip.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on 127.0.0.1: one Master and one Worker, each a child JVM
 * started from the Spark jars of the Maven build, as {@code start-master.sh}/{@code
 * start-worker.sh} would start them. The Worker launches executors from a synthetic
 * {@code SPARK_HOME} (an empty {@code RELEASE} file and {@code jars/} links to the same jars), and
 * {@link #submit} runs {@code org.apache.spark.deploy.SparkSubmit}, the class the
 * {@code spark-submit} script calls, in client mode. Logs of every process stay under
 * {@link #logDir()}; executors' own logs under {@link #workDir()}.
 */
public final class StandaloneCluster implements AutoCloseable {

  /** JVM flags Spark 4 needs on Java 17, for every JVM: driver, executors, Master, Worker. */
  public static final List<String> JAVA_OPENS = List.of(
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED");

  /** Cores the Worker offers. */
  public static final int WORKER_CORES = 2;
  /** Memory the Worker offers to executors. */
  public static final String WORKER_MEMORY = "2g";
  /** Memory of each executor (and of the SparkSubmit driver JVM). */
  public static final String EXECUTOR_MEMORY = "1g";
  /** How long {@link #submit(String, String, List, String...)} waits for SparkSubmit to exit. */
  public static final Duration DEFAULT_SUBMIT_TIMEOUT = Duration.ofSeconds(120);

  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
  private static final Pattern CORES = Pattern.compile("\"cores\"\\s*:\\s*(\\d+)\\s*,\\s*\"coresused\"");
  private static final Pattern ALIVE = Pattern.compile("\"status\"\\s*:\\s*\"ALIVE\"");

  private final Path baseDir;
  private final Path sparkHome;
  private final Path logDir;
  private final Path workDir;
  private final List<Path> sparkClasspath;
  private final Map<String, String> childEnv;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicInteger submits = new AtomicInteger();
  private final Thread shutdownHook = new Thread(this::stopProcesses, "standalone-cluster-stop");
  private Process master;
  private Process worker;
  private String masterUrl;
  private String masterWebUrl;
  private boolean closed;

  private StandaloneCluster(Path baseDir, List<Path> sparkClasspath) throws IOException {
    this.baseDir = baseDir;
    this.sparkClasspath = List.copyOf(sparkClasspath);
    this.logDir = Files.createDirectories(baseDir.resolve("logs"));
    this.workDir = Files.createDirectories(baseDir.resolve("work"));
    this.sparkHome = SparkHome.build(baseDir.resolve("spark-home"), sparkClasspath);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", HOST);
    env.put("SPARK_SCALA_VERSION", "2.13");
    this.childEnv = Map.copyOf(env);
  }

  /**
   * Starts a Master and a Worker ({@value #WORKER_CORES} cores, {@value #WORKER_MEMORY}) and
   * returns once the Worker has registered with the Master.
   *
   * @param baseDir folder for the synthetic SPARK_HOME, the logs and the Worker's work dir;
   *     created if missing
   * @return the running cluster; close it to stop both processes and their executors
   * @throws IOException if a folder or a process cannot be created
   * @throws IllegalStateException if the cluster does not come up within 90 s, with the last
   *     log lines of both processes
   */
  public static StandaloneCluster start(Path baseDir) throws IOException {
    return start(baseDir, SparkHome.resolveClasspath());
  }

  /**
   * Same as {@link #start(Path)} with an explicit Spark classpath.
   *
   * @param baseDir folder for SPARK_HOME, logs and the work dir
   * @param sparkClasspath Spark's jars (and their dependencies), at least spark-core
   * @return the running cluster
   * @throws IOException if a folder or a process cannot be created
   */
  public static StandaloneCluster start(Path baseDir, List<Path> sparkClasspath) throws IOException {
    StandaloneCluster cluster = new StandaloneCluster(Files.createDirectories(baseDir), sparkClasspath);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.startProcesses();
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e;
    }
  }

  /** The Master's RPC address, {@code spark://127.0.0.1:<port>}. */
  public String masterUrl() {
    return masterUrl;
  }

  /** The Master's web UI, {@code http://127.0.0.1:<port>}; {@code /json} gives its state. */
  public String masterWebUrl() {
    return masterWebUrl;
  }

  /** The Master's state as JSON (workers, cores, active and completed applications). */
  public String masterState() {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(masterWebUrl + "/json/"))
          .timeout(Duration.ofSeconds(5)).build();
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + masterWebUrl + "/json/", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the master state", e);
    }
  }

  /** Root folder of this cluster's files. */
  public Path baseDir() {
    return baseDir;
  }

  /** The synthetic SPARK_HOME the Worker launches executors from. */
  public Path sparkHome() {
    return sparkHome;
  }

  /** Logs of the Master, the Worker and every {@link #submit} run. */
  public Path logDir() {
    return logDir;
  }

  /** The Worker's work dir: one {@code app-*} folder per application, executors' logs inside. */
  public Path workDir() {
    return workDir;
  }

  /** The jars (and folders) the Master, Worker and SparkSubmit JVMs run on. */
  public List<Path> sparkClasspath() {
    return sparkClasspath;
  }

  /**
   * Settings for a driver in the calling JVM (client mode) that uses this cluster: the master
   * URL, loopback driver address, executor memory, the Java 17 opens for executors and one
   * OpenMP thread per executor. Add {@code spark.jars} when the job ships classes of its own.
   */
  public Map<String, String> clientConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.master", masterUrl);
    conf.putAll(driverDefaults());
    return conf;
  }

  /**
   * Runs {@code spark-submit --master <this cluster> --deploy-mode client} in a child JVM and
   * waits up to {@link #DEFAULT_SUBMIT_TIMEOUT} for it.
   *
   * @param appJar the application jar
   * @param mainClass fully qualified name of the main class inside {@code appJar}
   * @param conf extra {@code key=value} Spark settings; they override the defaults of
   *     {@link #clientConf()}
   * @param args arguments for the main class
   * @return exit code and output of the SparkSubmit JVM
   * @throws IllegalStateException if it does not exit in time (it is then killed)
   */
  public SubmitResult submit(String appJar, String mainClass, List<String> conf, String... args) {
    return submit(appJar, mainClass, conf, DEFAULT_SUBMIT_TIMEOUT, args);
  }

  /**
   * Same as {@link #submit(String, String, List, String...)} with an explicit time limit.
   *
   * @param appJar the application jar
   * @param mainClass fully qualified name of the main class inside {@code appJar}
   * @param conf extra {@code key=value} Spark settings
   * @param timeout how long to wait for SparkSubmit to exit
   * @param args arguments for the main class
   * @return exit code and output of the SparkSubmit JVM
   * @throws IllegalArgumentException if a {@code conf} entry has no {@code =}
   * @throws IllegalStateException if it does not exit in time (it is then killed)
   */
  public SubmitResult submit(String appJar, String mainClass, List<String> conf, Duration timeout,
      String... args) {
    for (String entry : conf) {
      if (entry.indexOf('=') <= 0) {
        throw new IllegalArgumentException("conf entry is not key=value: " + entry);
      }
    }
    List<String> command = new ArrayList<>(javaCommand("-Xmx" + EXECUTOR_MEMORY));
    command.addAll(List.of("org.apache.spark.deploy.SparkSubmit",
        "--master", masterUrl, "--deploy-mode", "client", "--class", mainClass));
    driverDefaults().forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
    conf.forEach(entry -> command.addAll(List.of("--conf", entry)));
    command.add(appJar);
    command.addAll(Arrays.asList(args));

    String name = String.format("submit-%02d-%s", submits.incrementAndGet(),
        mainClass.substring(mainClass.lastIndexOf('.') + 1));
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    long started = System.nanoTime();
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().putAll(childEnv);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start spark-submit: " + command, e);
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.stopTree(process, STOP_GRACE);
        throw new IllegalStateException("spark-submit of " + mainClass + " did not exit within "
            + timeout.toSeconds() + " s and was killed\n--- " + err + " (tail) ---\n" + ChildProcesses.tail(err, 40));
      }
    } catch (InterruptedException e) {
      ChildProcesses.stopTree(process, STOP_GRACE);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for spark-submit of " + mainClass, e);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    return new SubmitResult(process.exitValue(), ChildProcesses.read(out), ChildProcesses.read(err), elapsed);
  }

  /** Stops the Worker (and its executors) and the Master; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to run; it does the same work.
    }
  }

  @Override
  public String toString() {
    return "StandaloneCluster[" + masterUrl + ", ui " + masterWebUrl + ", files " + baseDir + "]";
  }

  private void startProcesses() throws IOException {
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        startMaster(attempt);
        startWorker(attempt);
        return;
      } catch (PortTakenException e) {
        // Another process took a port between our probe and the Master's bind: try new ports.
        last = e;
        stopProcesses();
      }
    }
    throw last;
  }

  private void startMaster(int attempt) throws IOException {
    int[] ports = ChildProcesses.freePorts(HOST, 2);
    masterUrl = "spark://" + HOST + ":" + ports[0];
    masterWebUrl = "http://" + HOST + ":" + ports[1];
    Path log = logDir.resolve("master-" + attempt + ".log");
    List<String> command = new ArrayList<>(javaCommand("-Xmx512m",
        // Fail instead of silently moving to the next port: our URL would then be wrong.
        "-Dspark.port.maxRetries=0",
        // The REST submission server would take the fixed port 6066.
        "-Dspark.master.rest.enabled=false"));
    command.addAll(List.of("org.apache.spark.deploy.master.Master",
        "--host", HOST, "--port", Integer.toString(ports[0]), "--webui-port", Integer.toString(ports[1])));
    master = ChildProcesses.launch(command, childEnv, log);
    awaitUp("the Master at " + masterUrl, master, log, () -> ALIVE.matcher(masterState()).find());
  }

  private void startWorker(int attempt) throws IOException {
    Path log = logDir.resolve("worker-" + attempt + ".log");
    List<String> command = new ArrayList<>(javaCommand("-Xmx512m"));
    command.addAll(List.of("org.apache.spark.deploy.worker.Worker",
        "--host", HOST, "--port", "0", "--webui-port", "0",
        "--cores", Integer.toString(WORKER_CORES), "--memory", WORKER_MEMORY,
        "--work-dir", workDir.toString(), masterUrl));
    worker = ChildProcesses.launch(command, childEnv, log);
    awaitUp("the Worker registered with " + masterUrl, worker, log, () -> {
      String state = masterState();
      Matcher alive = ALIVE_WORKERS.matcher(state);
      Matcher cores = CORES.matcher(state);
      return alive.find() && Integer.parseInt(alive.group(1)) >= 1
          && cores.find() && Integer.parseInt(cores.group(1)) >= WORKER_CORES;
    });
  }

  private void awaitUp(String what, Process process, Path log, BooleanSupplier ready) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    RuntimeException lastError = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String logTail = ChildProcesses.tail(log, 40);
        String message = what + " exited with code " + process.exitValue() + " before it was up";
        if (logTail.contains("BindException") || logTail.contains("Address already in use")) {
          throw new PortTakenException(message + "\n--- " + log + " (tail) ---\n" + logTail);
        }
        throw new IllegalStateException(message + logTails());
      }
      try {
        if (ready.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        lastError = notYet;
      }
      sleep(250);
    }
    throw new IllegalStateException("timed out after " + START_TIMEOUT.toSeconds() + " s waiting for "
        + what + (lastError == null ? "" : " (last poll: " + lastError + ")") + logTails());
  }

  private String logTails() {
    StringBuilder text = new StringBuilder();
    try (var files = Files.list(logDir)) {
      files.filter(p -> p.getFileName().toString().matches("(master|worker)-\\d+\\.log")).sorted()
          .forEach(p -> text.append("\n--- ").append(p).append(" (tail) ---\n").append(ChildProcesses.tail(p, 30)));
    } catch (IOException e) {
      text.append("\n(cannot list ").append(logDir).append(": ").append(e).append(')');
    }
    return text.toString();
  }

  private List<String> javaCommand(String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(ChildProcesses.javaExecutable());
    command.addAll(JAVA_OPENS);
    command.addAll(Arrays.asList(jvmOptions));
    command.add("-cp");
    command.add(String.join(File.pathSeparator, sparkClasspath.stream().map(Path::toString).toList()));
    return command;
  }

  private static Map<String, String> driverDefaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.driver.host", HOST);
    conf.put("spark.driver.bindAddress", HOST);
    conf.put("spark.executor.memory", EXECUTOR_MEMORY);
    conf.put("spark.executor.extraJavaOptions", String.join(" ", JAVA_OPENS));
    conf.put("spark.executorEnv.OMP_NUM_THREADS", "1");
    conf.put("spark.ui.enabled", "false");
    return conf;
  }

  private synchronized void stopProcesses() {
    // Worker first: its shutdown hook kills the executors it launched.
    ChildProcesses.stopTree(worker, STOP_GRACE);
    ChildProcesses.stopTree(master, STOP_GRACE);
    worker = null;
    master = null;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the cluster", e);
    }
  }

  private static final class PortTakenException extends IllegalStateException {
    PortTakenException(String message) {
      super(message);
    }
  }
}
