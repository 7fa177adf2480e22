package nnzip.cli;

import java.io.PrintStream;

/** {@code nnzip demo}: placeholder replaced below. */
final class DemoCommand implements Command {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "train a Fashion-MNIST MLP (cached), compress it on local[*], print the table and accuracy";
  }

  @Override
  public String help() {
    return "usage: nnzip demo\n";
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) {
    throw new UsageException("demo not wired yet");
  }
}
