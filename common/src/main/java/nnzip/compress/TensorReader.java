package nnzip.compress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import nnzip.io.StoredTensor;
import nnzip.tensor.FloatCodec;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * Streams a range of a tensor's elements from its file in bounded chunks, as raw bytes and (for
 * floating dtypes) as floats. Memory is one chunk whatever the tensor size.
 */
public final class TensorReader {
  /** Elements per chunk: 1 Mi elements, at most 8 MiB of F64. */
  public static final int CHUNK_ELEMENTS = 1 << 20;

  private TensorReader() {}

  /** Receives consecutive chunks of a tensor. */
  public interface ChunkConsumer {
    /**
     * @param raw the chunk's raw bytes, position 0, limit = bytes of the chunk (possibly a direct
     *     buffer; valid only during the call)
     * @param values the chunk as floats (valid in [0, n)), or null for non-floating dtypes
     * @param n elements in the chunk
     * @param first index of the chunk's first element in the tensor
     */
    void accept(ByteBuffer raw, float[] values, int n, long first);
  }

  /**
   * Reads elements {@code first .. first+count)} of {@code tensor} chunk by chunk.
   *
   * @throws InvalidInputException if the file is shorter than the tensor claims
   */
  public static void read(FileSystem fs, StoredTensor tensor, long first, long count, ChunkConsumer consumer) {
    int size = tensor.spec().dtype().byteSize();
    boolean floating = tensor.spec().dtype().isFloating();
    int chunk = (int) Math.min(CHUNK_ELEMENTS, Math.max(1, count));
    float[] values = floating ? new float[chunk] : null;
    Path path = new Path(tensor.file());
    try (FSDataInputStream in = fs.open(path)) {
      in.seek(tensor.offset() + first * size);
      // Straight into a direct buffer where the stream supports it (local, HDFS): one copy fewer
      // than through a byte[], which is most of the difference to a plain FileChannel read.
      boolean direct = in.hasCapability(StreamCapabilities.READBYTEBUFFER);
      ByteBuffer buffer = (direct ? ByteBuffer.allocateDirect(chunk * size) : ByteBuffer.allocate(chunk * size))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (long done = 0; done < count; ) {
        int n = (int) Math.min(chunk, count - done);
        buffer.clear().limit(n * size);
        fill(in, buffer, direct, path, tensor);
        buffer.flip();
        if (floating) {
          FloatCodec.decode(buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN), tensor.spec().dtype(), values, 0, n);
        }
        consumer.accept(buffer, values, n, first + done);
        done += n;
      }
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException("no such file: " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static void fill(FSDataInputStream in, ByteBuffer buffer, boolean direct, Path path, StoredTensor tensor)
      throws IOException {
    if (!direct) {
      try {
        in.readFully(buffer.array(), buffer.position(), buffer.remaining());
      } catch (java.io.EOFException e) {
        throw truncated(path, tensor);
      } catch (org.apache.hadoop.fs.ChecksumException e) {
        throw new InvalidInputException(path + ": corrupt bytes in tensor '" + tensor.spec().name() + "'", e);
      }
      buffer.position(buffer.limit());
      return;
    }
    while (buffer.hasRemaining()) {
      if (in.read(buffer) < 0) {
        throw truncated(path, tensor);
      }
    }
  }

  private static InvalidInputException truncated(Path path, StoredTensor tensor) {
    return new InvalidInputException(path + ": file ends inside tensor '" + tensor.spec().name() + "'");
  }

  /** Reads a whole tensor. */
  public static void readAll(FileSystem fs, StoredTensor tensor, ChunkConsumer consumer) {
    read(fs, tensor, 0, tensor.spec().numElements(), consumer);
  }

  /** Opens the file system of a tensor's file. */
  public static FileSystem fileSystemOf(StoredTensor tensor) {
    return HadoopFiles.fileSystem(tensor.file());
  }
}
