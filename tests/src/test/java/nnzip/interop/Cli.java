package nnzip.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import nnzip.cli.Main;

/** One in-process run of the nnzip CLI ({@link Main#run}) with its exit code and captured output. */
record Cli(int code, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Cli run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs and asserts exit code 0, showing stderr otherwise. */
  static Cli ok(String... args) {
    Cli c = run(args);
    assertEquals(Main.OK, c.code(), () -> "nnzip " + String.join(" ", args) + " failed:\n" + c.err());
    return c;
  }

  /** Stdout parsed as JSON (for --json runs). */
  JsonNode json() {
    try {
      return JSON.readTree(out);
    } catch (Exception e) {
      throw new AssertionError("stdout is not JSON: " + e.getMessage() + "\n" + out, e);
    }
  }
}
