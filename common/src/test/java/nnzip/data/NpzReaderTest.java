package nnzip.data;

import static nnzip.data.NpyFixtures.encode;
import static nnzip.data.NpyFixtures.npy;
import static nnzip.data.NpyFixtures.npz;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzReaderTest {
  @TempDir Path tmp;

  static final byte[] A = npy("<f4", new int[] {2, 2}, encode("<f4", 1, 2, 3, 4));
  static final byte[] B = npy("|u1", new int[] {3}, encode("|u1", 7, 8, 255));

  Map<String, NpyArray> read(String file, byte[] archive) {
    Path p = NpyFixtures.write(tmp.resolve(file), archive);
    return NpzReader.read(HadoopFiles.qualify(p.toString()), HadoopFiles.configuration());
  }

  String rejects(String file, byte[] archive, String part) {
    String m = assertThrows(InvalidInputException.class, () -> read(file, archive)).getMessage();
    assertTrue(m.contains(file) && m.contains(part) && !m.contains("\n"), m);
    return m;
  }

  @Test
  void readsStoredAndDeflatedEntriesAlike() {
    for (boolean deflate : new boolean[] {false, true}) {
      Map<String, NpyArray> arrays = read("ab" + deflate + ".npz", npz(deflate, Map.of("a", A, "b", B)));
      assertEquals(Set.of("a", "b"), arrays.keySet());
      assertArrayEquals(new float[] {1, 2, 3, 4}, arrays.get("a").floats());
      assertArrayEquals(new int[] {2, 2}, arrays.get("a").shape());
      assertArrayEquals(new int[] {7, 8, 255}, arrays.get("b").ints());
      assertTrue(arrays.get("b").name().endsWith("ab" + deflate + ".npz:b.npy"), arrays.get("b").name());
    }
  }

  @Test
  void readsOnlyTheWantedArraysAndSkipsOtherEntries() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a", A);
    entries.put("broken", "not an npy file".getBytes(StandardCharsets.US_ASCII));
    entries.put("b", B);
    Path p = NpyFixtures.write(tmp.resolve("some.npz"), npz(true, entries));
    Map<String, NpyArray> some = NpzReader.read(HadoopFiles.qualify(p.toString()), HadoopFiles.configuration(),
        Set.of("b", "missing"));
    assertEquals(List.of("b"), List.copyOf(some.keySet()));
    // Asked for, the broken entry is named in the message.
    String m = assertThrows(InvalidInputException.class,
        () -> NpzReader.read(HadoopFiles.qualify(p.toString()), HadoopFiles.configuration())).getMessage();
    assertTrue(m.endsWith("some.npz:broken.npy: not an .npy file (bad magic, expected \\x93NUMPY)"), m);
  }

  @Test
  void readsArchivesThatNumpyWrote() {
    NpyFixtures.python(tmp, """
        a = np.arange(12, dtype='<f4').reshape(3, 4) / 8
        np.savez('plain.npz', x=a, y=np.array([1, 2, 3]))
        np.savez_compressed('compressed.npz', x=a, y=np.array([1, 2, 3]), big=np.zeros((1000, 100)))
        """);
    for (String file : new String[] {"plain.npz", "compressed.npz"}) {
      Map<String, NpyArray> arrays = NpzReader.read(HadoopFiles.qualify(tmp.resolve(file).toString()),
          HadoopFiles.configuration());
      float[] expected = new float[12];
      for (int i = 0; i < 12; i++) {
        expected[i] = i / 8f;
      }
      assertArrayEquals(expected, arrays.get("x").floats(), file);
      assertArrayEquals(new int[] {3, 4}, arrays.get("x").shape(), file);
      assertArrayEquals(new int[] {1, 2, 3}, arrays.get("y").ints(), file);
    }
  }

  @Test
  void anEmptyArchiveHoldsNoArrays() {
    assertEquals(Map.of(), read("empty.npz", npz(false, Map.of())));
  }

  @Test
  void rejectsFilesThatAreNotZipArchives() {
    rejects("a.npz", A, "not an .npz file (no zip signature)");
    rejects("nothing.npz", new byte[0], "not an .npz file");
    String m = assertThrows(InvalidInputException.class, () -> NpzReader.read(
        HadoopFiles.qualify(tmp + "/none.npz"), HadoopFiles.configuration())).getMessage();
    assertTrue(m.contains("none.npz: no such file"), m);
  }

  @Test
  void rejectsTruncatedAndCorruptArchives() {
    byte[] big = npy("<f8", new int[] {20_000}, encode("<f8", new java.util.Random(1).doubles(20_000).toArray()));
    byte[] deflated = npz(true, Map.of("big", big));
    rejects("cut.npz", Arrays.copyOf(deflated, deflated.length / 2), "truncated");
    byte[] stored = npz(false, Map.of("big", big));
    rejects("cut-stored.npz", Arrays.copyOf(stored, stored.length / 2), "corrupt zip data");
    byte[] flipped = stored.clone();
    flipped[1000] ^= 1; // a data byte: the CRC no longer matches
    rejects("crc.npz", flipped, "corrupt zip data: invalid entry CRC");
  }

  @Test
  void rejectsARepeatedEntry() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a", A);
    entries.put("b", A);
    byte[] archive = npz(false, entries);
    // Rename the second local entry to a.npy (ZipOutputStream itself refuses duplicates).
    String text = new String(archive, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("b.npy");
    archive[at] = 'a';
    rejects("twice.npz", archive, "entry a.npy appears twice");
  }

  @Test
  void anArchiveThatInflatesToGigabytesIsRefusedBeforeInflating() throws java.io.IOException {
    // A zip bomb made as an attacker would: 2.1 GB of zeros behind a valid header, deflated to a few MB.
    long n = 2_100_000_000L;
    Path bomb = tmp.resolve("bomb.npz");
    try (var zip = new java.util.zip.ZipOutputStream(new java.io.BufferedOutputStream(
        java.nio.file.Files.newOutputStream(bomb), 1 << 16))) {
      zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
      zip.putNextEntry(new java.util.zip.ZipEntry("x_train.npy"));
      zip.write(npy("|u1", new int[] {(int) n}, new byte[0]));
      byte[] zeros = new byte[1 << 20];
      for (long left = n; left > 0; left -= zeros.length) {
        zip.write(zeros, 0, (int) Math.min(left, zeros.length));
      }
      zip.closeEntry();
    }
    assertTrue(java.nio.file.Files.size(bomb) < 20_000_000, "bomb of " + java.nio.file.Files.size(bomb));
    long start = System.nanoTime();
    var e = assertThrows(nnzip.ResourceLimitException.class,
        () -> NpzReader.read(HadoopFiles.qualify(bomb.toString()), HadoopFiles.configuration()));
    assertTrue(e.getMessage().startsWith(HadoopFiles.qualify(bomb.toString()) + ":x_train.npy: its header promises "
        + n + " data bytes") && e.getMessage().contains("--driver-memory"), e.getMessage());
    // Refused from the header alone: inflating 2.1 GB would take seconds, reading the header takes milliseconds.
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "took " + (System.nanoTime() - start) / 1e6 + " ms");
  }
}
