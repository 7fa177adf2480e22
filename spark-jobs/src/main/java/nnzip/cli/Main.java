package nnzip.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnzip.InvalidInputException;

/**
 * The {@code nnzip} command line: {@code compress}, {@code decompress}, {@code inspect},
 * {@code train}, {@code eval}, {@code demo}, {@code bench} and {@code --version}. Exit codes: 0 success, 2 usage or config error or a
 * documented limit the user can raise ({@link nnzip.ResourceLimitException}), 3 invalid input data, 1 anything else. Errors are one line on stderr; {@code --verbose} adds the stack trace.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int INVALID_INPUT = 3;

  private static final Pattern REMOTE_INVALID_INPUT =
      Pattern.compile(Pattern.quote(InvalidInputException.class.getName()) + ": ([^\\n]*)");

  private Main() {}

  static Map<String, Command> commands() {
    Map<String, Command> m = new LinkedHashMap<>();
    for (Command c : new Command[] {
        new CompressCommand(), new DecompressCommand(), new InspectCommand(), new TrainCommand(), new EvalCommand(),
        new PruneCommand(), new DemoCommand(), new BenchCommand(), new ZooCommand(), new DialCommand()}) {
      m.put(c.name(), c);
    }
    return m;
  }

  public static void main(String[] argv) {
    int code = run(argv, System.out, System.err);
    if (Boolean.getBoolean("nnzip.reportPeakHeap")) {
      // For `bench io`: the peak of every heap pool, read by the parent process.
      long peak = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
          .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      System.out.println("nnzip.peakHeapBytes=" + peak);
    }
    System.out.flush();
    System.exit(code);
  }

  /** Runs a command line and returns its exit code (tests call this in-process). */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    boolean verbose = Arrays.asList(argv).contains("--verbose");
    String[] args = Arrays.stream(argv).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
    Map<String, Command> commands = commands();
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(usage(commands));
      return args.length == 0 ? USAGE : OK;
    }
    if (args[0].equals("--version") || args[0].equals("version")) {
      out.println(nnzip.Version.line());
      return OK;
    }
    Command command = commands.get(args[0]);
    if (command == null) {
      err.println("nnzip: unknown command '" + args[0] + "'" + Suggestions.didYouMean(args[0], commands.keySet())
          + " (commands: " + String.join(", ", commands.keySet()) + ")");
      return USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
      out.print(command.help());
      return OK;
    }
    nnzip.job.SparkSessions.taskFailureLogs(verbose);
    try {
      return command.run(rest, out, err);
    } catch (Throwable t) {
      int code = exitCode(t);
      err.println("nnzip " + command.name() + ": error: " + message(t));
      if (verbose) {
        t.printStackTrace(err);
      } else if (code == FAILURE) {
        err.println("(run again with --verbose for the stack trace)");
      }
      return code;
    }
  }

  static String usage(Map<String, Command> commands) {
    StringBuilder sb = new StringBuilder("usage: nnzip <command> [options]   (nnzip <command> --help for details)\n\ncommands:\n");
    commands.values().forEach(c -> sb.append(String.format("  %-11s %s%n", c.name(), c.summary())));
    sb.append(String.format("  %-11s %s%n", "version", "print the nnzip version and git commit (also --version)"));
    sb.append("\nexit codes: 0 ok, 2 usage/config error or a limit to raise (e.g. the heap), 3 invalid input data,"
        + " 4 zoo: some model failed, 1 other failure\n");
    return sb.toString();
  }

  /** Exit code for a failure, looking through wrappers (Spark wraps executor exceptions). */
  static int exitCode(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UsageException || c instanceof com.typesafe.config.ConfigException
          || c instanceof nnzip.artifact.AtomicOutput.OutputExistsException || c instanceof nnzip.ResourceLimitException) {
        return USAGE;
      }
      if (c instanceof InvalidInputException || c instanceof org.apache.hadoop.fs.ChecksumException) {
        return INVALID_INPUT;
      }
      if (c.getMessage() != null && REMOTE_INVALID_INPUT.matcher(c.getMessage()).find()) {
        return INVALID_INPUT;
      }
    }
    return FAILURE;
  }

  /** The one-line message of the innermost meaningful cause. */
  static String message(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UsageException || c instanceof InvalidInputException
          || c instanceof nnzip.artifact.AtomicOutput.OutputExistsException || c instanceof nnzip.ResourceLimitException) {
        return firstLine(c.getMessage());
      }
      if (c.getMessage() != null) {
        Matcher m = REMOTE_INVALID_INPUT.matcher(c.getMessage());
        if (m.find()) {
          return firstLine(m.group(1).trim());
        }
      }
    }
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return firstLine(root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg));
  }

  /** The first line, cut to {@link nnzip.Messages#MAX_LINE} characters: a message may quote hostile input. */
  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nnzip.Messages.oneLine(nl < 0 ? s : s.substring(0, nl));
  }
}
