package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

/** Sizes read from an artifact are checked with exact arithmetic before anything is allocated. */
class ArtifactBoundsTest {
  private static final TensorSpec W = new TensorSpec("w", DType.F32, new long[] {100, 30});

  @Test
  void chunkSizesThatWrapOrAreNegativeAreInvalidInput() {
    InvalidInputException wrap = assertThrows(InvalidInputException.class, () -> ArtifactBounds.chunkBytes(
        List.of(new Chunk(Long.MAX_VALUE, null), new Chunk(2, null)), "entry 'x'"));
    assertTrue(wrap.getMessage().contains("overflow") && wrap.getMessage().contains("'x'"), wrap.getMessage());
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.chunkBytes(List.of(new Chunk(-1, null)), "e"));
    // A record carrying such chunks cannot even be built.
    assertThrows(InvalidInputException.class, () -> new TensorRecord(W, nnzip.codec.CodecKind.UNIFORM, 4, "tensor", 1, 0,
        List.of(new Chunk(Long.MAX_VALUE, null), new Chunk(1, null)), 0, 0, List.of()));
    assertEquals(12_000, ArtifactBounds.chunkBytes(List.of(new Chunk(10_000, null), new Chunk(2_000, null)), "e"));
  }

  @Test
  void packedCodeBytesMatchesBigIntegerArithmeticAndRefusesOverflow() {
    for (long count : new long[] {0, 1, 7, 8, 9, 1_000_003, Long.MAX_VALUE / 32}) {
      for (int bits : new int[] {1, 3, 8, 13, 32}) {
        BigInteger exact = BigInteger.valueOf(count).multiply(BigInteger.valueOf(bits)).add(BigInteger.valueOf(7))
            .shiftRight(3);
        assertEquals(exact.longValueExact(), ArtifactBounds.packedCodeBytes(count, bits, "w"), count + "x" + bits);
      }
    }
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.packedCodeBytes(Long.MAX_VALUE / 2, 3, "w"));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.packedCodeBytes(10, 0, "w"));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.packedCodeBytes(10, 33, "w"));
  }

  @Test
  void anAqCodebookShapeOfAMillionRowsIsRefusedBeforeAnyAllocation() {
    // The stored codewords (2 × 256 × 8) do not back a claim of a million codebooks or codewords.
    long stored = 2 * 256 * 8;
    InvalidInputException rows = assertThrows(InvalidInputException.class,
        () -> ArtifactBounds.aqShape(new float[] {1_000_000, 256, 8}, stored, 8, W));
    assertTrue(rows.getMessage().contains("M"), rows.getMessage());
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.aqShape(new float[] {2, 1_000_000, 8}, stored, 8, W));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.aqShape(new float[] {2, 256, 8}, stored - 1, 8, W));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.aqShape(new float[] {2, 256, 8.5f}, stored, 8, W));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.aqShape(new float[] {2, 256, Float.NaN}, stored, 8, W));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.aqShape(new float[] {2, 256}, stored, 8, W));
    ArtifactBounds.AqShape ok = ArtifactBounds.aqShape(new float[] {2, 256, 8}, stored, 8, W);
    assertEquals((3000 + 7) / 8, ok.subvectors());
    assertEquals(2 * ok.subvectors(), ok.codes());
  }

  @Test
  void aHugeCodedShapeOverflowingItsCodeCountIsRefused() {
    TensorSpec huge = new TensorSpec("huge", DType.U8, new long[] {1L << 62});
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.aqShape(new float[] {8, 256, 1}, 8 * 256, 8, huge));
    assertThrows(InvalidInputException.class, () -> new TensorSpec("x", DType.F32, new long[] {1L << 40, 1L << 30}));
  }
}
