package nnzip.cli;

import java.io.PrintStream;

/** One CLI command: a name, a help text and a run method returning the exit code. */
interface Command {
  String name();

  /** One line for the command list. */
  String summary();

  /** Full {@code --help} text. */
  String help();

  /**
   * Runs the command.
   *
   * @return exit code (0 on success)
   */
  int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
