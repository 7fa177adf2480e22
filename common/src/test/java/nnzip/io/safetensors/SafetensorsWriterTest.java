package nnzip.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

class SafetensorsWriterTest {
  private static final TensorSpec W = new TensorSpec("w", DType.F32, new long[] {3});
  private static final TensorSpec B = new TensorSpec("b", DType.U8, new long[] {5});
  private static final TensorSpec E = new TensorSpec("e", DType.F16, new long[] {0});

  /** Records whether it was closed. */
  private static final class Sink extends ByteArrayOutputStream {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void chunkedWritesGiveTheSameFileAsWholeTensorWrites() throws IOException {
    byte[] w = TestFiles.randomBytes(1, 12);
    byte[] b = TestFiles.randomBytes(2, 5);
    byte[] whole = TestFiles.written(List.of(W, B, E), Map.of(), List.of(w, b, new byte[0]));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SafetensorsWriter sw = new SafetensorsWriter(out, List.of(W, B, E), Map.of())) {
      sw.beginTensor("w");
      sw.write(w, 0, 5);
      sw.write(w, 5, 7);
      sw.writeTensor("b", new ByteArrayInputStream(b));
      sw.writeTensor("e", ByteBuffer.allocate(0));
    }
    assertArrayEquals(whole, out.toByteArray());
  }

  @Test
  void tensorOutOfDeclaredOrderIsRefused() throws IOException {
    SafetensorsWriter sw = new SafetensorsWriter(new ByteArrayOutputStream(), List.of(W, B), Map.of());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sw.writeTensor("b", new byte[5]));
    assertTrue(e.getMessage().contains("expected tensor 'w'"), e.getMessage());
  }

  @Test
  void moreBytesThanTheTensorHoldsAreRefused() throws IOException {
    SafetensorsWriter sw = new SafetensorsWriter(new ByteArrayOutputStream(), List.of(W, B), Map.of());
    assertThrows(IllegalStateException.class, () -> sw.writeTensor("w", new byte[13]));
    SafetensorsWriter sw2 = new SafetensorsWriter(new ByteArrayOutputStream(), List.of(W, B), Map.of());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> sw2.writeTensor("w", new ByteArrayInputStream(new byte[20])));
    assertTrue(e.getMessage().contains("more than its 12 bytes"), e.getMessage());
  }

  @Test
  void startingTheNextTensorBeforeTheCurrentIsCompleteIsRefused() throws IOException {
    SafetensorsWriter sw = new SafetensorsWriter(new ByteArrayOutputStream(), List.of(W, B), Map.of());
    sw.beginTensor("w");
    sw.write(new byte[4], 0, 4);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sw.beginTensor("b"));
    assertTrue(e.getMessage().contains("'w' is incomplete: 8 bytes missing"), e.getMessage());
  }

  @Test
  void closeWithMissingTensorsThrowsButStillClosesTheStream() throws IOException {
    Sink sink = new Sink();
    SafetensorsWriter sw = new SafetensorsWriter(sink, List.of(W, B, E), Map.of());
    sw.writeTensor("w", new byte[12]);
    IllegalStateException e = assertThrows(IllegalStateException.class, sw::close);
    assertTrue(e.getMessage().contains("2 declared tensors were not written, first 'b'"), e.getMessage());
    assertTrue(sink.closed);
  }

  @Test
  void writeBeforeAnyTensorIsBegunIsRefused() throws IOException {
    SafetensorsWriter sw = new SafetensorsWriter(new ByteArrayOutputStream(), List.of(W), Map.of());
    assertThrows(IllegalStateException.class, () -> sw.write(new byte[1], 0, 1));
  }

  @Test
  void repeatedOrReservedTensorNamesAreRefused() {
    TensorSpec reserved = new TensorSpec("__metadata__", DType.U8, new long[] {1});
    assertThrows(IllegalArgumentException.class,
        () -> new SafetensorsWriter(new ByteArrayOutputStream(), List.of(W, W), Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new SafetensorsWriter(new ByteArrayOutputStream(), List.of(reserved), Map.of()));
  }

  @Test
  void headerIsWrittenUpFrontAndFileSizeIsKnownBeforeAnyData() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsWriter sw = new SafetensorsWriter(out, List.of(W, B), Map.of("a", "b"));
    assertEquals(sw.header().dataStart(), out.size());
    assertEquals(sw.header().dataStart() + 17, sw.header().fileSize());
  }
}
