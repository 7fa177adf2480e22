package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import nnzip.InvalidInputException;
import nnzip.artifact.AtomicOutput.OutputExistsException;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output protocol: nothing appears, and nothing existing changes, unless a run commits. */
class AtomicOutputTest {
  @TempDir java.nio.file.Path dir;
  private FileSystem fs;
  private java.nio.file.Path target;

  @BeforeEach
  void localFileSystem() {
    fs = HadoopFiles.fileSystem(dir.toUri().toString());
    target = dir.resolve("out.nnz.safetensors");
  }

  private Path hadoop(java.nio.file.Path p) {
    return new Path(p.toUri());
  }

  /** Visible names in the directory (Hadoop's hidden .crc side files left out). */
  private List<String> listing() throws IOException {
    try (Stream<java.nio.file.Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  private void stage(AtomicOutput o, String text) throws IOException {
    try (OutputStream out = fs.create(o.stagingFile(), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void anExistingTargetWithoutOverwriteIsRefusedAndLeftUntouched() throws IOException {
    Files.writeString(target, "old");
    OutputExistsException e = assertThrows(OutputExistsException.class,
        () -> AtomicOutput.create(fs, hadoop(target), false));
    assertTrue(e.getMessage().contains("out.nnz.safetensors"), e.getMessage());
    assertThrows(OutputExistsException.class, () -> AtomicOutput.checkWritable(fs, hadoop(target), false));
    assertEquals("old", Files.readString(target));
    assertEquals(List.of("out.nnz.safetensors"), listing(), "no temporary directory was made");
  }

  @Test
  void closingWithoutCommitLeavesNeitherTemporaryDirectoryNorTarget() throws IOException {
    AtomicOutput o = AtomicOutput.create(fs, hadoop(target), false);
    stage(o, "new");
    assertTrue(Files.isDirectory(java.nio.file.Path.of(o.tempDir().toUri())));
    assertEquals(o.tempDir(), o.stagingFile().getParent());
    o.close();
    assertFalse(o.committed());
    assertEquals(List.of(), listing());
  }

  @Test
  void aFailedRunLeavesAnExistingTargetAsItWas() throws IOException {
    Files.writeString(target, "old");
    try (AtomicOutput o = AtomicOutput.create(fs, hadoop(target), true)) {
      stage(o, "half-written");
      // the job fails here, before commit
    }
    assertEquals("old", Files.readString(target));
    assertEquals(List.of("out.nnz.safetensors"), listing());
  }

  @Test
  void commitMovesTheStagedFileOntoTheTarget() throws IOException {
    try (AtomicOutput o = AtomicOutput.create(fs, hadoop(target), false)) {
      stage(o, "new");
      o.commit();
      assertTrue(o.committed());
    }
    assertEquals("new", Files.readString(target));
    assertEquals(List.of("out.nnz.safetensors"), listing(), "the temporary directory is gone");
  }

  @Test
  void commitReplacesAnExistingTargetWhenOverwriting() throws IOException {
    Files.writeString(target, "old");
    try (AtomicOutput o = AtomicOutput.create(fs, hadoop(target), true)) {
      stage(o, "new");
      o.commit();
    }
    assertEquals("new", Files.readString(target));
    assertEquals(List.of("out.nnz.safetensors"), listing());
  }

  @Test
  void aTargetThatAppearsDuringTheRunIsNotReplacedWithoutOverwrite() throws IOException {
    try (AtomicOutput o = AtomicOutput.create(fs, hadoop(target), false)) {
      stage(o, "new");
      Files.writeString(target, "someone else's");
      assertThrows(OutputExistsException.class, o::commit);
      assertFalse(o.committed());
    }
    assertEquals("someone else's", Files.readString(target));
    assertEquals(List.of("out.nnz.safetensors"), listing());
  }

  @Test
  void committingWithNothingStagedLeavesAnExistingTargetInPlace() throws IOException {
    Files.writeString(target, "old");
    try (AtomicOutput o = AtomicOutput.create(fs, hadoop(target), true)) {
      assertThrows(IOException.class, o::commit);
      assertFalse(o.committed());
    }
    assertEquals("old", Files.readString(target));
  }

  @Test
  void aDirectoryIsNeverReplaced() throws IOException {
    Files.createDirectory(target);
    assertThrows(OutputExistsException.class, () -> AtomicOutput.create(fs, hadoop(target), true));
    assertTrue(Files.isDirectory(target));
  }

  @Test
  void aMissingParentDirectoryIsInvalidInput() {
    java.nio.file.Path orphan = dir.resolve("missing").resolve("out.nnz.safetensors");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> AtomicOutput.create(fs, hadoop(orphan), false));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void twoRunsGetDistinctTemporaryDirectories() throws IOException {
    try (AtomicOutput a = AtomicOutput.create(fs, hadoop(target), false);
        AtomicOutput b = AtomicOutput.create(fs, hadoop(target), false)) {
      assertNotEquals(a.tempDir(), b.tempDir());
      assertTrue(a.tempDir().getName().startsWith("out.nnz.safetensors.tmp-"), a.tempDir().toString());
    }
    assertEquals(List.of(), listing());
  }

  /** A temporary directory of an earlier run for the target, with an owner file of the given text (none if null). */
  private java.nio.file.Path leftover(String id, String owner) throws IOException {
    java.nio.file.Path d = Files.createDirectories(dir.resolve("out.nnz.safetensors.tmp-" + id));
    Files.write(d.resolve("onnx-weights.safetensors"), new byte[1024]);
    if (owner != null) {
      Files.writeString(d.resolve(AtomicOutput.OWNER_FILE), owner);
    }
    return d;
  }

  @Test
  void aNewRunRemovesOnlyTheTemporaryDirectoriesOfProcessesProvenGone() throws Exception {
    Process child = new ProcessBuilder("sleep", "60").start();
    long startMillis = child.info().startInstant().orElseThrow().toEpochMilli();
    AtomicOutput.Owner self = AtomicOutput.Owner.self();
    java.nio.file.Path dead = leftover("dead", new AtomicOutput.Owner(self.host(), child.pid(), startMillis).line());
    child.destroyForcibly();
    assertTrue(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
    java.nio.file.Path reused = leftover("reused", new AtomicOutput.Owner(self.host(), self.pid(),
        self.startMillis() - 60_000).line()); // our pid, but a process that started a minute earlier
    java.nio.file.Path live = leftover("live", self.line());
    java.nio.file.Path elsewhere = leftover("elsewhere", new AtomicOutput.Owner("another-host", child.pid(),
        startMillis).line());
    java.nio.file.Path unowned = leftover("unowned", null);
    java.nio.file.Path garbled = leftover("garbled", "not an owner line");
    java.nio.file.Path otherTarget = Files.createDirectories(dir.resolve("other.nnz.safetensors.tmp-x"));
    Files.writeString(otherTarget.resolve(AtomicOutput.OWNER_FILE), Files.readString(dead.resolve(AtomicOutput.OWNER_FILE)));

    try (AtomicOutput o = AtomicOutput.create(fs, hadoop(target), false)) {
      assertTrue(Files.isDirectory(java.nio.file.Path.of(o.tempDir().toUri())));
      assertEquals(self.line(), Files.readString(java.nio.file.Path.of(o.tempDir().toUri()).resolve(AtomicOutput.OWNER_FILE)));
    }
    assertFalse(Files.exists(dead), "a dead process's directory is removed");
    assertFalse(Files.exists(reused), "a reused pid is told apart by its start time");
    for (java.nio.file.Path kept : List.of(live, elsewhere, unowned, garbled, otherTarget)) {
      assertTrue(Files.exists(kept.resolve("onnx-weights.safetensors")) || Files.isDirectory(kept),
          kept + " is not proven stale and stays");
    }
  }

  @Test
  void anOutputDirectoryWhereNothingCanBeCreatedFailsBeforeAnyWork() throws IOException {
    FileSystem refusing = new org.apache.hadoop.fs.FilterFileSystem(fs) {
      @Override
      public boolean mkdirs(Path f, org.apache.hadoop.fs.permission.FsPermission permission) {
        return false; // what a local file system answers in a folder the user cannot write
      }

      @Override
      public boolean mkdirs(Path f) {
        return false;
      }
    };
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> AtomicOutput.checkWritable(refusing, hadoop(target), false));
    assertTrue(e.getMessage().startsWith("output directory is not writable: ")
        && e.getMessage().endsWith(dir.getFileName().toString()), e.getMessage());
    assertEquals(List.of(), listing());
  }
}
