package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import nnzip.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooLayoutTest {
  @TempDir Path dir;

  @Test
  void aModelFolderLinkedOutOfTheZooIsRefused() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createSymbolicLink(out.resolve("evil"), elsewhere);
    ZooLayout layout = new ZooLayout(out);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> layout.checkConfined("evil"));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    // A dangling link out of the zoo is refused too: the first write would create its target.
    Files.createSymbolicLink(out.resolve("dangling"), dir.resolve("nowhere"));
    assertThrows(InvalidInputException.class, () -> layout.checkConfined("dangling"));
  }

  @Test
  void aLinkInsideTheZooAndAPlainFolderAreFine() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.createDirectories(out.resolve("real"));
    Files.createSymbolicLink(out.resolve("alias"), out.resolve("real"));
    ZooLayout layout = new ZooLayout(out);
    assertDoesNotThrow(() -> layout.checkConfined("alias"));
    assertDoesNotThrow(() -> layout.checkConfined("real"));
    assertDoesNotThrow(() -> layout.checkConfined("not-yet"));
  }

  @Test
  void anArtifactThatIsALinkIsRefused() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.createDirectories(out.resolve("m"));
    Files.createSymbolicLink(out.resolve("m/m.nnz.safetensors"), dir.resolve("victim"));
    assertThrows(InvalidInputException.class, () -> new ZooLayout(out).checkConfined("m"));
  }

  @Test
  void staleTempsGoAndEverythingElseStays() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Path m = Files.createDirectories(out.resolve("m"));
    Path temp = Files.createDirectories(m.resolve("m.nnz.safetensors.tmp-1234/parts"));
    Files.writeString(temp.resolve("p0"), "x");
    Files.writeString(m.resolve("m.nnz.safetensors"), "artifact");
    Files.writeString(m.resolve("m.nnz.safetensors.ckpt"), "checkpoint");
    Files.writeString(m.resolve("other.tmp-1"), "not ours");
    new ZooLayout(out).removeStaleTemps("m");
    assertFalse(Files.exists(m.resolve("m.nnz.safetensors.tmp-1234")));
    assertTrue(Files.exists(m.resolve("m.nnz.safetensors")));
    assertTrue(Files.exists(m.resolve("m.nnz.safetensors.ckpt")), "finetuning resumes from its checkpoint");
    assertTrue(Files.exists(m.resolve("other.tmp-1")));
  }
}
