package nnzip;

/** Receives one-line progress messages from long work; the CLI prints them on stderr. */
@FunctionalInterface
public interface Progress {
  /** Progress that goes nowhere. */
  Progress SILENT = message -> { };

  void report(String message);
}
