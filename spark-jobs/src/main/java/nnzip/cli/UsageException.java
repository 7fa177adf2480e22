package nnzip.cli;

/** Wrong command-line usage or configuration; the CLI exits with code 2. */
public class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
