package nnzip.io.safetensors;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import nnzip.tensor.TensorSpec;

/**
 * Streams a safetensors file: the header is computed from the declared tensors and written at
 * construction, then each tensor's bytes follow in the declared order, so no tensor needs to be held
 * in memory. Tensors are stored contiguously in the order given and the header is byte-for-byte
 * deterministic (see {@link HeaderEncoder}). Any departure from the declared layout (another tensor
 * than the next one, too few or too many bytes, tensors missing at {@link #finish}) throws {@link
 * IllegalStateException}, and the partial output must then be discarded.
 *
 * <p>Usage: {@code beginTensor(name)} then {@code write(...)} chunks, or one {@code writeTensor}
 * call per tensor, then {@code close()}.
 */
public final class SafetensorsWriter implements Closeable {
  private final OutputStream out;
  private final SafetensorsHeader header;
  private int next; // index of the next tensor to begin
  private long remaining; // bytes still owed to tensor next − 1
  private boolean finished;

  /**
   * Writes the header to {@code out}.
   *
   * @param out destination, owned by the writer from now on: {@link #close} closes it
   * @param specs every tensor of the file, in file order; names unique and not {@code __metadata__}
   * @param metadata {@code __metadata__} entries, written in iteration order (pass a LinkedHashMap
   *     or TreeMap for a deterministic file); may be empty
   * @throws IllegalArgumentException if a name repeats or is reserved, or the total size overflows
   * @throws IOException if writing the header fails
   */
  public SafetensorsWriter(OutputStream out, List<TensorSpec> specs, Map<String, String> metadata) throws IOException {
    this.out = Objects.requireNonNull(out, "out");
    List<SafetensorsHeader.Entry> entries = layout(specs);
    metadata.forEach((k, v) -> Objects.requireNonNull(v, () -> "metadata value of '" + k + "'"));
    byte[] json = HeaderEncoder.encode(entries, metadata);
    long dataSize = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).end();
    long dataStart = 8L + json.length;
    this.header = new SafetensorsHeader(entries, metadata, dataStart, Math.addExact(dataStart, dataSize));
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
    out.write(json);
  }

  /** The header written: offsets of every tensor and the final file size. */
  public SafetensorsHeader header() {
    return header;
  }

  /**
   * Starts the next tensor, whose bytes the following {@link #write} calls supply.
   *
   * @throws IllegalStateException if the previous tensor is incomplete or {@code name} is not the
   *     next declared tensor
   */
  public void beginTensor(String name) {
    checkPreviousComplete();
    if (next >= header.entries().size()) {
      throw new IllegalStateException("all " + next + " declared tensors are written; got '" + name + "'");
    }
    SafetensorsHeader.Entry e = header.entries().get(next);
    if (!e.name().equals(name)) {
      throw new IllegalStateException("expected tensor '" + e.name() + "' next (number " + next + "), got '" + name + "'");
    }
    next++;
    remaining = e.spec().byteSize();
  }

  /**
   * Appends {@code b[off..off+len)} to the current tensor.
   *
   * @throws IllegalStateException if no tensor is begun or {@code len} exceeds the bytes it still
   *     needs
   * @throws IOException if the output fails
   */
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len > remaining) {
      throw new IllegalStateException(next == 0
          ? "write before beginTensor"
          : "tensor '" + current() + "' needs " + remaining + " more bytes, got " + len);
    }
    out.write(b, off, len);
    remaining -= len;
  }

  /**
   * Writes one whole tensor from a byte array of exactly its size.
   *
   * @throws IllegalStateException as {@link #beginTensor} and {@link #write}, or if {@code data} is
   *     shorter than the tensor
   * @throws IOException if the output fails
   */
  public void writeTensor(String name, byte[] data) throws IOException {
    beginTensor(name);
    write(data, 0, data.length);
    checkPreviousComplete();
  }

  /**
   * Writes one whole tensor from {@code data}'s remaining bytes (position to limit), which must be
   * exactly its size. The buffer's position is left unchanged.
   *
   * @throws IllegalStateException as {@link #writeTensor(String, byte[])}
   * @throws IOException if the output fails
   */
  public void writeTensor(String name, ByteBuffer data) throws IOException {
    beginTensor(name);
    ByteBuffer src = data.duplicate();
    byte[] chunk = new byte[Math.min(SafetensorsReader.CHUNK_BYTES, src.remaining())];
    while (src.hasRemaining()) {
      int n = Math.min(chunk.length, src.remaining());
      src.get(chunk, 0, n);
      write(chunk, 0, n);
    }
    checkPreviousComplete();
  }

  /**
   * Writes one whole tensor read from {@code in} until its end, which must come after exactly the
   * tensor's byte size. {@code in} is not closed.
   *
   * @throws IllegalStateException as {@link #writeTensor(String, byte[])}, or if {@code in} holds
   *     more bytes than the tensor
   * @throws IOException if reading or writing fails
   */
  public void writeTensor(String name, InputStream in) throws IOException {
    beginTensor(name);
    byte[] chunk = new byte[(int) Math.min(SafetensorsReader.CHUNK_BYTES, Math.max(remaining, 1))];
    for (int n; remaining > 0 && (n = in.read(chunk, 0, (int) Math.min(chunk.length, remaining))) >= 0; ) {
      write(chunk, 0, n);
    }
    checkPreviousComplete();
    if (in.read() >= 0) {
      throw new IllegalStateException("stream for tensor '" + current() + "' holds more than its " + header.entries().get(next - 1).spec().byteSize() + " bytes");
    }
  }

  /**
   * An OutputStream view that feeds {@link #write} (after {@link #beginTensor}), for copying helpers
   * that take a stream. Closing the view does nothing.
   */
  public OutputStream tensorStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        SafetensorsWriter.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        SafetensorsWriter.this.write(b, off, len);
      }
    };
  }

  /**
   * Checks that every declared tensor was written in full and flushes the output (without closing
   * it). Calling it again does nothing.
   *
   * @throws IllegalStateException if a tensor is missing or incomplete
   * @throws IOException if flushing fails
   */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    checkPreviousComplete();
    if (next < header.entries().size()) {
      throw new IllegalStateException((header.entries().size() - next) + " declared tensors were not written, first '"
          + header.entries().get(next).name() + "'");
    }
    out.flush();
    finished = true;
  }

  /**
   * {@link #finish}es, then closes the output, which is closed even if finishing fails.
   *
   * @throws IllegalStateException if a tensor is missing or incomplete
   * @throws IOException if flushing or closing fails
   */
  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }

  private void checkPreviousComplete() {
    if (remaining > 0) {
      throw new IllegalStateException("tensor '" + current() + "' is incomplete: " + remaining + " bytes missing");
    }
  }

  private String current() {
    return header.entries().get(next - 1).name();
  }

  /** Contiguous ranges in the given order, checked for unique, non-reserved names. */
  private static List<SafetensorsHeader.Entry> layout(List<TensorSpec> specs) {
    List<SafetensorsHeader.Entry> entries = new ArrayList<>(specs.size());
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (TensorSpec spec : specs) {
      if (spec.name().equals(HeaderParser.METADATA_KEY) || !names.add(spec.name())) {
        throw new IllegalArgumentException("tensor name '" + spec.name() + "' is reserved or repeated");
      }
      long end;
      try {
        end = Math.addExact(offset, spec.byteSize());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("total size overflows at tensor '" + spec.name() + "'", e);
      }
      entries.add(new SafetensorsHeader.Entry(spec, offset, end));
      offset = end;
    }
    return entries;
  }
}
