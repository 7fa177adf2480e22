package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CodebooksTest {

  @Test
  void decodeSumsOneCodewordPerCodebook() {
    // M = 2, K = 2, d = 2: codebook 0 = {(1,2), (3,4)}, codebook 1 = {(10,20), (30,40)}.
    Codebooks books = Codebooks.of(2, 2, 2, new float[] {1, 2, 3, 4, 10, 20, 30, 40});
    float[] out = new float[2];
    books.decode(new int[] {1, 0}, out);
    assertArrayEquals(new float[] {13, 24}, out);
    float[] many = new float[6];
    books.decode(new int[] {0, 0, 1, 1, 0, 1}, 3, many);
    assertArrayEquals(new float[] {11, 22, 33, 44, 31, 42}, many);
    assertEquals(30f, books.value(1, 1, 0));
  }

  @Test
  void rejectsWrongSizesAndCodes() {
    assertThrows(IllegalArgumentException.class, () -> Codebooks.of(2, 2, 2, new float[7]));
    assertThrows(IllegalArgumentException.class,
        () -> Codebooks.of(1, 1, 2, new float[] {0, Float.NaN}));
    Codebooks books = Codebooks.of(1, 2, 1, new float[] {0, 1});
    assertThrows(IndexOutOfBoundsException.class, () -> books.decode(new int[] {2}, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> books.decode(new int[] {0}, 2, new float[2]));
  }

  @Test
  void isImmutableAndComparedByValue() {
    float[] v = {1, 2};
    Codebooks a = Codebooks.of(1, 2, 1, v);
    v[0] = 5;
    a.values()[1] = 7;
    assertEquals(Codebooks.of(1, 2, 1, new float[] {1, 2}), a);
  }
}
