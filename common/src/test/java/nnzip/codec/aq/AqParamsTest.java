package nnzip.codec.aq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AqParamsTest {

  @Test
  void bitsPerWeightIsCodeBitsOverDimension() {
    assertEquals(2.0, AqParams.of(8, 2, 8).bitsPerWeight());
    assertEquals(2.0, AqParams.of(8, 1, 16).bitsPerWeight());
    assertEquals(0.75, AqParams.of(16, 1, 12).bitsPerWeight());
    assertEquals(256, AqParams.of(8, 2, 8).codewords());
  }

  @Test
  void rejectsOutOfRangeComponents() {
    assertThrows(IllegalArgumentException.class, () -> AqParams.of(6, 2, 8));
    assertThrows(IllegalArgumentException.class, () -> AqParams.of(8, 0, 8));
    assertThrows(IllegalArgumentException.class, () -> AqParams.of(8, 9, 8));
    assertThrows(IllegalArgumentException.class, () -> AqParams.of(8, 2, 0));
    assertThrows(IllegalArgumentException.class, () -> AqParams.of(8, 2, 17));
    assertThrows(IllegalArgumentException.class, () -> new AqParams(8, 2, 8, 0, 1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new AqParams(8, 2, 8, 1, -1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new AqParams(8, 2, 8, 1, 1, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new AqParams(8, 2, 8, 1, 1, Double.NaN, 0));
  }
}
