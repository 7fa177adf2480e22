package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.codec.BitPacking;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

class ArtifactBoundsTest {
  private static final String SHA = "0".repeat(64);

  private static List<Chunk> chunks(long... sizes) {
    return java.util.Arrays.stream(sizes).mapToObj(s -> new Chunk(s, SHA)).toList();
  }

  @Test
  void chunkBytesIsTheExactSumWhereItFitsALong() {
    long[][] cases = {{}, {0}, {5, 7, 0, 9}, {Long.MAX_VALUE - 3, 3}, {1L << 62, 1L << 62, (1L << 62) - 1, 1L << 62},
        {1L << 62, 1L << 62, 1L << 62, (1L << 62) + 100}};
    for (long[] c : cases) {
      BigInteger exact = java.util.Arrays.stream(c).mapToObj(BigInteger::valueOf).reduce(BigInteger.ZERO, BigInteger::add);
      if (exact.bitLength() < 64) {
        assertEquals(exact.longValueExact(), ArtifactBounds.chunkBytes(chunks(c), "e"));
      } else {
        int first = 0; // the first chunk whose prefix sum leaves the long range
        for (BigInteger sum = BigInteger.ZERO; (sum = sum.add(BigInteger.valueOf(c[first]))).bitLength() < 64; ) {
          first++;
        }
        int at = first;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ArtifactBounds.chunkBytes(chunks(c), "e"));
        assertTrue(e.getMessage().startsWith("e: chunk sizes overflow") && e.getMessage().contains("at chunk " + at + ")"),
            e.getMessage());
      }
    }
  }

  @Test
  void negativeChunkIsRefusedEvenWhenTheSumLooksRight() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ArtifactBounds.chunkBytes(chunks(-64, 128), "entry 'w.codes'"));
    assertEquals("entry 'w.codes': chunk 0 claims -64 bytes", e.getMessage());
  }

  @Test
  void aRecordWithWrappedChunksCannotBeBuilt() {
    TensorSpec spec = new TensorSpec("w", DType.F32, new long[] {4});
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> new TensorRecord(spec, nnzip.codec.CodecKind.UNIFORM, 4,
        "tensor", 1, 0, chunks(16), 0, 0, List.of(new StoredEntry("w.codes", StoredEntry.CODES,
            chunks(1L << 62, 1L << 62, 1L << 62, (1L << 62) + 2)))));
    assertTrue(e.getMessage().contains("tensor 'w': entry 'w.codes': chunk sizes overflow"), e.getMessage());
  }

  @Test
  void packedCodeBytesAgreesWithBitPackingAndRefusesOverflow() {
    for (long count : new long[] {0, 1, 7, 8, 1000, 1L << 40}) {
      for (int bits = 1; bits <= 32; bits++) {
        assertEquals(BitPacking.packedBytes(count, bits), ArtifactBounds.packedCodeBytes(count, bits, "w"));
      }
    }
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ArtifactBounds.packedCodeBytes(1L << 61, 16, "w"));
    assertTrue(e.getMessage().contains("2305843009213693952 codes of 16 bits"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.packedCodeBytes(10, 0, "w"));
    assertThrows(InvalidInputException.class, () -> ArtifactBounds.packedCodeBytes(10, 33, "w"));
  }

  @Test
  void aqShapeGivesTheCodeCountOfTheTensor() {
    TensorSpec spec = new TensorSpec("w", DType.F32, new long[] {10, 7}); // 70 elements
    nnzip.codec.aq.AqShape s = nnzip.codec.aq.AqShape.check(new float[] {2, 16, 8}, 2 * 16 * 8, 4, spec);
    assertEquals(new nnzip.codec.aq.AqShape(2, 16, 8, 9, 18), s); // ⌈70 / 8⌉ = 9 subvectors
  }

  @Test
  void aqShapesOutOfRangeOrDisagreeingAreRefusedWithBothNumbers() {
    TensorSpec spec = new TensorSpec("w", DType.F32, new long[] {64});
    assertMessage(new float[] {1e6f, 16, 8}, 256, 4, spec, "M = 1000000.0 is not a whole number in 1..64");
    assertMessage(new float[] {2, 16, 1e6f}, 256, 4, spec, "d = 1000000.0 is not a whole number in 1..64");
    assertMessage(new float[] {2.5f, 16, 8}, 256, 4, spec, "M = 2.5");
    assertMessage(new float[] {Float.NaN, 16, 8}, 256, 4, spec, "M = NaN");
    assertMessage(new float[] {2, 32, 8}, 512, 4, spec, "K = 32 but the tensor has 4-bit codes (K = 16)");
    assertMessage(new float[] {2, 16, 8}, 255, 4, spec, "needs M·K·d = 256 codeword values but 255 are stored");
    assertMessage(new float[] {2, 16}, 256, 4, spec, "lacks its codebook shape");
    TensorSpec huge = new TensorSpec("w", DType.U8, new long[] {Long.MAX_VALUE});
    assertMessage(new float[] {8, 16, 1}, 128, 4, huge, "9223372036854775807 subvectors × M = 8 codes overflow");
  }

  private static void assertMessage(float[] shape, long words, int bits, TensorSpec spec, String expected) {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> nnzip.codec.aq.AqShape.check(shape, words, bits, spec));
    assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("'w'"), e.getMessage());
  }

  @Test
  void segmentCountDoesNotOverflowNearTheLongLimit() {
    long s = CodeReader.segmentCodes(1);
    assertEquals(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(s - 1)).divide(BigInteger.valueOf(s))
        .longValueExact(), CodeReader.segments(Long.MAX_VALUE, 1));
    assertEquals(3, CodeReader.segments(2 * s + 1, 1));
    assertEquals(2, CodeReader.segments(2 * s, 1));
  }
}
