package nnzip;

/**
 * Work refused because it would exceed a documented limit the user can raise (the JVM heap, a
 * scratch budget), found before the memory or disk is spent. The message is one line that names
 * the input, the amount needed, the limit and how to raise it; the CLI maps this type to exit code 2.
 */
public class ResourceLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ResourceLimitException(String message) {
    super(message);
  }
}
