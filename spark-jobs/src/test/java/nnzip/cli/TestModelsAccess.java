package nnzip.cli;

import java.io.IOException;
import java.nio.file.Path;

/** Gives tests in other packages the CLI tests' model fixture. */
public final class TestModelsAccess {
  private TestModelsAccess() {}

  public static Path write(Path dir, String name) throws IOException {
    return Models.write(dir, name, 44, 0.01f);
  }
}
