package nnzip.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import nnzip.InvalidInputException;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {
  @TempDir Path root;
  private Path model;
  private Path outside;
  private final FileSystem fs = HadoopFiles.fileSystem("file:///");

  @BeforeEach
  void layout() throws IOException {
    model = Files.createDirectories(root.resolve("model"));
    outside = Files.createDirectories(root.resolve("outside"));
    Files.write(outside.resolve("secret.bin"), new byte[] {1, 2, 3});
    Files.createDirectories(outside.resolve("sub"));
    Files.write(outside.resolve("sub/secret.bin"), new byte[] {1, 2, 3});
    Files.createDirectories(model.resolve("data"));
    Files.write(model.resolve("data/w.bin"), new byte[] {4, 5, 6});
  }

  private void confine(String relative) throws IOException {
    ModelFolder.confine(fs, hadoop(model), hadoop(model.resolve(relative)), "entry '" + relative + "'");
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  private InvalidInputException refused(String relative) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> confine(relative));
    assertTrue(e.getMessage().startsWith("entry '" + relative + "' resolves to "), e.getMessage());
    assertTrue(e.getMessage().contains("outside the model folder " + model), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    return e;
  }

  @Test
  void filesInsideTheFolderPass() {
    assertDoesNotThrow(() -> confine("data/w.bin"));
  }

  @Test
  void symlinksThatStayInsideTheFolderPass() throws IOException {
    Files.createSymbolicLink(model.resolve("alias.bin"), model.resolve("data/w.bin"));
    Files.createSymbolicLink(model.resolve("more"), Path.of("data"));
    assertDoesNotThrow(() -> confine("alias.bin"));
    assertDoesNotThrow(() -> confine("more/w.bin"));
  }

  @Test
  void aModelFolderReachedThroughASymlinkIsResolvedToo() throws IOException {
    Path link = Files.createSymbolicLink(root.resolve("link-to-model"), model);
    assertDoesNotThrow(() -> ModelFolder.confine(fs, hadoop(link), hadoop(link.resolve("data/w.bin")), "w"));
  }

  @Test
  void aSymlinkedFilePointingOutsideIsRefusedNamingItsTarget() throws IOException {
    Files.createSymbolicLink(model.resolve("w.bin"), outside.resolve("secret.bin"));
    assertTrue(refused("w.bin").getMessage().contains(outside.resolve("secret.bin").toString()));
  }

  @Test
  void aSymlinkedFolderOnThePathPointingOutsideIsRefused() throws IOException {
    Files.createSymbolicLink(model.resolve("weights"), outside);
    refused("weights/secret.bin");
    refused("weights/sub/secret.bin");
  }

  @Test
  void aRelativeSymlinkClimbingOutIsRefused() throws IOException {
    Files.createSymbolicLink(model.resolve("data/up.bin"), Path.of("../../outside/secret.bin"));
    refused("data/up.bin");
  }

  @Test
  void theFolderItselfIsNotAFileInsideIt() throws IOException {
    Files.createSymbolicLink(model.resolve("self"), model);
    refused("self");
  }

  @Test
  void missingFilesPassForTheCallerToReport() {
    assertDoesNotThrow(() -> confine("data/absent.bin"));
  }
}
