package nnzip;

/**
 * Input data that nnzip cannot accept: a corrupt or lying file, a wrong dtype, a non-finite weight,
 * a missing path. The message is one line naming the file or tensor at fault; the CLI maps this
 * type to exit code 3.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
