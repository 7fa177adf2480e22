package nnzip.data;

import static nnzip.data.NpyFixtures.dict;
import static nnzip.data.NpyFixtures.encode;
import static nnzip.data.NpyFixtures.npy;
import static nnzip.data.NpyFixtures.raw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {
  @TempDir Path tmp;

  static NpyArray read(byte[] bytes) {
    try {
      return NpyReader.read(new ByteArrayInputStream(bytes), "a.npy");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asserts that reading fails with a message naming the file and containing {@code part}. */
  static String rejects(byte[] bytes, String part) {
    String m = assertThrows(InvalidInputException.class, () -> read(bytes)).getMessage();
    assertTrue(m.startsWith("a.npy: ") && m.contains(part) && !m.contains("\n"), m);
    return m;
  }

  @Test
  void readsEveryIntegerDtypeInBothByteOrders() {
    double[] values = {0, 1, 100, 127, 5};
    for (String type : new String[] {"u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8"}) {
      for (char order : new char[] {'<', '>', '|'}) {
        if (order == '|' && !type.endsWith("1")) {
          continue;
        }
        NpyArray a = read(npy(order + type, new int[] {5}, encode(order + type, values)));
        assertArrayEquals(new int[] {0, 1, 100, 127, 5}, a.ints(), order + type);
        assertArrayEquals(new float[] {0, 1, 100, 127, 5}, a.floats(), order + type);
        assertArrayEquals(new int[] {5}, a.shape());
      }
    }
  }

  @Test
  void readsNegativeAndFullRangeIntegers() {
    NpyArray i1 = read(npy("|i1", new int[] {3}, encode("|i1", -128, -1, 127)));
    assertArrayEquals(new int[] {-128, -1, 127}, i1.ints());
    assertArrayEquals(new int[] {255, 65535}, read(npy("<u2", new int[] {2}, encode("<u2", 255, 65535))).ints());
    assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
        read(npy(">i8", new int[] {2}, encode(">i8", Integer.MIN_VALUE, Integer.MAX_VALUE))).ints());
    NpyArray big = read(npy("<u8", new int[] {1}, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}));
    assertArrayEquals(new float[] {0x1p64f}, big.floats());
    String m = assertThrows(InvalidInputException.class, big::ints).getMessage();
    assertTrue(m.contains("18446744073709551615 does not fit an int"), m);
    NpyArray u4 = read(npy("<u4", new int[] {1}, encode("<u4", 4294967295L)));
    assertTrue(assertThrows(InvalidInputException.class, u4::ints).getMessage().contains("4294967295"));
  }

  @Test
  void readsEveryFloatDtypeInBothByteOrders() {
    float[] expected = {0f, -2.5f, 1e-3f, 3.4e38f, -0f};
    double[] values = {0, -2.5, 1e-3f, 3.4e38f, -0.0};
    for (String descr : new String[] {"<f4", ">f4", "<f8", ">f8"}) {
      NpyArray a = read(npy(descr, new int[] {5}, encode(descr, values)));
      assertArrayEquals(expected, a.floats(), descr);
      assertEquals(NpyDtype.parse(descr, "x"), a.dtype());
    }
    // binary16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), 2^-14 (smallest normal), -0
    double[] halves = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000};
    float[] exact = {1f, -2f, 65504f, 0x1p-24f, 0x1p-14f, -0f};
    assertArrayEquals(exact, read(npy("<f2", new int[] {6}, encode("<f2", halves))).floats());
    assertArrayEquals(exact, read(npy(">f2", new int[] {6}, encode(">f2", halves))).floats());
  }

  @Test
  void readsVersionsOneTwoAndThreeAlike() {
    byte[] data = encode("<f4", 1, 2, 3, 4, 5, 6);
    String header = dict("<f4", false, 2, 3);
    NpyArray v1 = read(npy(1, header, data));
    assertEquals(v1, read(npy(2, header, data)));
    assertEquals(v1, read(npy(3, header, data)));
    assertArrayEquals(new int[] {2, 3}, v1.shape());
    // Version 2.0 exists for headers over 65,535 bytes: the length field has 4 bytes.
    assertEquals(v1, read(npy(2, header + " ".repeat(70_000), data)));
    // Double quotes, no trailing comma, key order and Python 2 longs are all NumPy-readable too.
    assertEquals(v1, read(npy(1, "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<f4\"}", data)));
  }

  @Test
  void transposesFortranOrderIntoRowMajor() {
    // a[i][j] = 10 i + j for shape (2, 3), written column by column
    NpyArray a = read(npy(1, dict("<i4", true, 2, 3), encode("<i4", 0, 10, 1, 11, 2, 12)));
    assertArrayEquals(new int[] {0, 1, 2, 10, 11, 12}, a.ints());
    assertArrayEquals(new int[] {2, 3}, a.shape());
    // shape (2, 2, 2): Fortran offset i + 2 j + 4 k
    NpyArray b = read(npy(1, dict("|u1", true, 2, 2, 2), encode("|u1", 0, 100, 10, 110, 1, 101, 11, 111)));
    assertArrayEquals(new int[] {0, 1, 10, 11, 100, 101, 110, 111}, b.ints());
  }

  @Test
  void readsScalarsAndEmptyArrays() {
    assertArrayEquals(new float[] {7}, read(npy("<f8", new int[0], encode("<f8", 7))).floats());
    NpyArray empty = read(npy("<f4", new int[] {0, 2_000_000_000, 2_000_000_000}, new byte[0]));
    assertEquals(0, empty.size());
  }

  @Test
  void readsAFileThroughAHadoopPath() {
    Path f = NpyFixtures.write(tmp.resolve("x.npy"), npy("<i2", new int[] {2}, encode("<i2", -3, 4)));
    assertArrayEquals(new int[] {-3, 4}, NpyReader.read(HadoopFiles.qualify(f.toString()), HadoopFiles.configuration()).ints());
    String m = assertThrows(InvalidInputException.class,
        () -> NpyReader.read(HadoopFiles.qualify(tmp + "/none.npy"), HadoopFiles.configuration())).getMessage();
    assertTrue(m.contains("none.npy") && m.contains("no such file"), m);
  }

  @Test
  void rejectsABadMagicAndUnsupportedVersions() {
    byte[] good = npy("<f4", new int[] {1}, encode("<f4", 1));
    byte[] bad = good.clone();
    bad[1] = 'n';
    rejects(bad, "bad magic");
    rejects("PK\3\4 not an npy".getBytes(StandardCharsets.ISO_8859_1), "bad magic");
    byte[] v4 = good.clone();
    v4[6] = 4;
    rejects(v4, "version 4.0");
    byte[] v11 = good.clone();
    v11[7] = 1;
    rejects(v11, "version 1.1");
  }

  @Test
  void rejectsTruncatedHeaders() {
    byte[] good = npy("<f4", new int[] {1}, encode("<f4", 1));
    rejects(new byte[0], "truncated .npy header (0 bytes)");
    rejects(Arrays.copyOf(good, 7), "truncated .npy header (7 bytes)");
    rejects(Arrays.copyOf(good, 9), "no header length");
    rejects(Arrays.copyOf(good, 40), "length field says 118 bytes but only 30 follow");
  }

  @Test
  void rejectsAHeaderLengthThatDoesNotEndOnTheDictionary() {
    byte[] text = (dict("<f4", false, 2) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] rest = concat(text, encode("<f4", 1.5, 2.5)); // header text, then the data
    assertEquals(2, read(raw(1, text.length, new byte[0], rest)).size());
    // Three bytes short: the closing brace falls into the data.
    rejects(raw(1, text.length - 3, new byte[0], rest), "the text ends inside the dictionary");
    // Four bytes long: the first float's bytes are read as header text.
    rejects(raw(1, text.length + 4, new byte[0], rest), "unexpected text after the header dictionary");
    rejects(raw(1, 0, new byte[0], rest), "header length field: 0 bytes");
    rejects(raw(2, 0xffff_fff0L, new byte[0], rest), "header length 4294967280 exceeds");
  }

  @Test
  void rejectsMalformedHeaderDictionaries() {
    byte[] d = encode("<f4", 1);
    rejects(npy(1, "{'descr': '<f4', 'shape': (1,), }", d), "lacks the key 'fortran_order'");
    rejects(npy(1, dict("<f4", false, 1).replace("}", "'extra': 1, }"), d), "unexpected key 'extra'");
    rejects(npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", d), "repeated key 'descr'");
    rejects(npy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", d), "unexpected value");
    rejects(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", d), "a 1-d shape is written (n,)");
    rejects(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", d), "non-negative integer");
    rejects(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", d), "'shape' is not a tuple");
    rejects(npy(1, "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", d), "expected ','");
    byte[] badUtf8 = npy(3, dict("<f4", false, 1), d);
    badUtf8[badUtf8.length - 6] = (byte) 0xff; // a padding space before the newline
    rejects(badUtf8, "not valid UTF-8");
    rejects(npy(1, dict("<f4", false, 1) + "\u00ff", d), "unexpected text after the header dictionary");
  }

  @Test
  void rejectsUnsupportedDtypesNamingThem() {
    for (String descr : new String[] {"<c8", "|b1", "<U5", "|O", "|f4", "<f16", "=f4", "f4", "<M8[ns]"}) {
      rejects(npy(descr, new int[] {0}, new byte[0]), "unsupported dtype '" + descr + "'");
    }
    String m = rejects(npy(1, "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,)}",
        new byte[8]), "structured");
    assertTrue(m.contains("[('a', '<f4'), ('b', '<i4')]"), m);
  }

  @Test
  void rejectsShapesBeyondTheArrayLimit() {
    rejects(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 2)}", new byte[0]),
        "has dimension 4294967296, more than 2147483639");
    rejects(npy("<f4", new int[] {2_000_000_000, 2_000_000_000}, new byte[0]), "holds 4000000000000000000 elements");
    rejects(npy("|u1", new int[] {100_000, 100_000, 100_000, 100_000, 100_000}, new byte[0]), "more than 2^63 elements");
    rejects(npy("<f8", new int[] {1_000_000_000}, new byte[0]), "needs 8000000000 bytes");
    rejects(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", new byte[0]),
        "too large");
  }

  @Test
  void aHugeDescrIsQuotedShortInTheMessage() {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);
    String m = rejects(npy(2, "{'descr': " + deep + ", 'fortran_order': False, 'shape': (1,), }", new byte[0]),
        "unsupported dtype");
    assertTrue(m.length() < 2 * nnzip.Messages.MAX_QUOTED && m.contains("(400000 characters)"), m.length() + ": " + m);
    m = rejects(npy(2, "{'descr': '" + "<".repeat(300_000) + "f4', 'fortran_order': False, 'shape': (1,), }",
        new byte[0]), "unsupported dtype");
    assertTrue(m.length() < 2 * nnzip.Messages.MAX_QUOTED, m.length() + ": " + m.substring(0, 300));
    m = rejects(npy(2, "{'" + "k".repeat(300_000) + "': 1}", new byte[0]), "unexpected key");
    assertTrue(m.length() < 2 * nnzip.Messages.MAX_QUOTED, m.length() + ": " + m.substring(0, 300));
  }

  @Test
  void rejectsShortDataAndTrailingBytes() {
    rejects(npy("<f4", new int[] {3}, encode("<f4", 1, 2)), "needs 12 data bytes but only 8 follow");
    rejects(npy("<f4", new int[] {500_000_000}, encode("<f4", 1, 2)), "needs 2000000000 data bytes but only 8 follow");
    rejects(npy("<f4", new int[] {1}, encode("<f4", 1, 2)), "trailing bytes after the 4 data bytes");
  }

  @Test
  void floatsRejectNaNAndInfinityNamingTheArray() {
    String[] cases = {"<f4", "NaN", "<f8", "Infinity", "<f2", "-Infinity"};
    double[][] values = {{1, Float.NaN}, {1, Double.POSITIVE_INFINITY}, {0x3c00, 0xfc00}};
    for (int c = 0; c < 3; c++) {
      NpyArray a = read(npy(cases[2 * c], new int[] {2}, encode(cases[2 * c], values[c])));
      String m = assertThrows(InvalidInputException.class, a::floats).getMessage();
      assertTrue(m.startsWith("a.npy: element 1 is " + cases[2 * c + 1]), m);
    }
    NpyArray huge = read(npy("<f8", new int[] {1}, encode("<f8", 1e300)));
    assertTrue(assertThrows(InvalidInputException.class, huge::floats).getMessage().contains("outside the float range"));
    NpyArray f = read(npy("<f4", new int[] {1}, encode("<f4", 1)));
    assertTrue(assertThrows(InvalidInputException.class, f::ints).getMessage().contains("expected an integer dtype"));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
