package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nnzip.InvalidInputException;
import nnzip.Messages;
import nnzip.ResourceLimitException;
import org.junit.jupiter.api.Test;

/** How the CLI turns a failure into an exit code and one error line. */
class MainErrorsTest {
  @Test
  void aLimitTheUserCanRaiseIsExitTwoAndInvalidInputExitThreeThroughWrappers() {
    assertEquals(Main.USAGE, Main.exitCode(new RuntimeException("job failed",
        new ResourceLimitException("x.npz:x_train.npy: needs 12 GiB; raise --driver-memory"))));
    assertEquals("x.npz:x_train.npy: needs 12 GiB; raise --driver-memory", Main.message(
        new RuntimeException("job failed", new ResourceLimitException("x.npz:x_train.npy: needs 12 GiB; raise --driver-memory"))));
    assertEquals(Main.INVALID_INPUT, Main.exitCode(new RuntimeException(new InvalidInputException("bad"))));
  }

  @Test
  void anErrorLineIsCutWhateverTheMessageQuotes() {
    String huge = "a.npy: unsupported dtype '" + "[".repeat(400_000) + "'";
    String line = Main.message(new InvalidInputException(huge));
    assertTrue(line.length() < Messages.MAX_LINE + 40 && line.startsWith("a.npy: unsupported dtype '[[["), line.length() + "");
    // The same message as Spark relays it from an executor, in a wrapper's text.
    String remote = Main.message(new RuntimeException("Job aborted: " + InvalidInputException.class.getName() + ": " + huge));
    assertTrue(remote.length() < Messages.MAX_LINE + 40, remote.length() + "");
  }
}
