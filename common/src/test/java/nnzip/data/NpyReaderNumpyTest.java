package nnzip.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import nnzip.io.HadoopFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy reader against files that NumPy itself wrote (skipped where python3-numpy is absent):
 * every dtype in both byte orders, Fortran order, format versions 1.0 to 3.0, all 65,536 halves.
 */
class NpyReaderNumpyTest {
  static final String[] TYPES = {"u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8"};

  @TempDir static Path dir;

  @BeforeAll
  static void writeFixturesWithNumpy() {
    NpyFixtures.python(dir, """
        from numpy.lib import format as fmt
        a = np.arange(24).reshape(2, 3, 4)
        for t in %s:
            np.save(t + '.npy', a.astype('<' + t))
            np.save('be_' + t + '.npy', a.astype('>' + t))
        np.save('negative.npy', (a - 12).astype('<i8'))
        np.save('fortran.npy', np.asfortranarray(a.astype('<f4')))
        np.save('fortran_be.npy', np.asfortranarray(a.astype('>i2')).T)
        for v in (1, 2, 3):
            with open('v%%d.npy' %% v, 'wb') as f:
                fmt.write_array(f, a.astype('<f4'), version=(v, 0))
        halves = np.arange(65536, dtype='<u2').view('<f2')
        np.save('halves.npy', halves)
        np.save('halves_as_f4.npy', halves.astype('<f4'))
        np.save('scalar.npy', np.float64(2.5))
        np.save('empty.npy', np.zeros((0, 5), dtype='<f4'))
        """.formatted("['" + String.join("', '", TYPES) + "']"));
  }

  static NpyArray load(String file) {
    return NpyReader.read(HadoopFiles.qualify(dir.resolve(file).toString()), HadoopFiles.configuration());
  }

  static float[] range(int n, int from) {
    float[] r = new float[n];
    for (int i = 0; i < n; i++) {
      r[i] = from + i;
    }
    return r;
  }

  @Test
  void readsEveryDtypeNumpyWritesInBothByteOrders() {
    for (String t : TYPES) {
      for (String prefix : new String[] {"", "be_"}) {
        NpyArray a = load(prefix + t + ".npy");
        assertEquals(NpyDtype.parse("<" + t, "x"), a.dtype(), prefix + t);
        assertArrayEquals(new int[] {2, 3, 4}, a.shape(), prefix + t);
        assertArrayEquals(range(24, 0), a.floats(), prefix + t);
        if (!t.startsWith("f")) {
          assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
              22, 23}, a.ints(), prefix + t);
        }
      }
    }
    assertArrayEquals(range(24, -12), load("negative.npy").floats());
  }

  @Test
  void transposesNumpysFortranOrderedFiles() {
    NpyArray f = load("fortran.npy");
    assertArrayEquals(new int[] {2, 3, 4}, f.shape());
    assertArrayEquals(range(24, 0), f.floats());
    // a.T of shape (4, 3, 2): element [k][j][i] = a[i][j][k] = 12 i + 4 j + k
    NpyArray t = load("fortran_be.npy");
    assertArrayEquals(new int[] {4, 3, 2}, t.shape());
    int[] expected = new int[24];
    int c = 0;
    for (int k = 0; k < 4; k++) {
      for (int j = 0; j < 3; j++) {
        for (int i = 0; i < 2; i++) {
          expected[c++] = 12 * i + 4 * j + k;
        }
      }
    }
    assertArrayEquals(expected, t.ints());
  }

  @Test
  void readsFormatVersionsOneTwoAndThree() {
    for (int v = 1; v <= 3; v++) {
      NpyArray a = load("v" + v + ".npy");
      assertArrayEquals(range(24, 0), a.floats(), "version " + v);
    }
  }

  @Test
  void convertsEveryHalfExactlyAsNumpyDoes() {
    ByteBuffer halves = ByteBuffer.wrap(load("halves.npy").data()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer floats = ByteBuffer.wrap(load("halves_as_f4.npy").data()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 65536; i++) {
      float mine = NpyDtype.halfToFloat(halves.getShort(2 * i));
      assertEquals(floats.getInt(4 * i), Float.floatToRawIntBits(mine), "half bits " + Integer.toHexString(i));
    }
  }

  @Test
  void readsScalarsAndEmptyArrays() {
    assertArrayEquals(new float[] {2.5f}, load("scalar.npy").floats());
    assertEquals(0, load("scalar.npy").shape().length);
    NpyArray empty = load("empty.npy");
    assertArrayEquals(new int[] {0, 5}, empty.shape());
    assertEquals(0, empty.floats().length);
  }
}
