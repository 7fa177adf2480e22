package nnzip.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
  /** 2.5 chunks, so that a streamed copy needs a partial last chunk. */
  private static final int BIG = SafetensorsReader.CHUNK_BYTES * 5 / 2;

  @TempDir java.nio.file.Path dir;

  private CountingFileSystem fs;
  private byte[] file;
  private Path path;

  /** Counts the bytes and the largest single read passing through every stream it opens. */
  private static final class CountingFileSystem extends FilterFileSystem {
    long bytesRead;
    int largestRead;

    CountingFileSystem(FileSystem inner) {
      super(inner);
      setConf(inner.getConf());
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
      FSDataInputStream in = fs.open(f, bufferSize);
      return new FSDataInputStream(new FSInputStream() {
        @Override
        public int read(long position, byte[] b, int off, int len) throws IOException {
          int n = in.read(position, b, off, len);
          count(n);
          return n;
        }

        @Override
        public int read() throws IOException {
          int c = in.read();
          count(c < 0 ? -1 : 1);
          return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = in.read(b, off, len);
          count(n);
          return n;
        }

        @Override
        public void seek(long pos) throws IOException {
          in.seek(pos);
        }

        @Override
        public long getPos() throws IOException {
          return in.getPos();
        }

        @Override
        public boolean seekToNewSource(long target) {
          return false;
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      });
    }

    private void count(int n) {
      if (n > 0) {
        bytesRead += n;
        largestRead = Math.max(largestRead, n);
      }
    }
  }

  @BeforeEach
  void writeABigFile() {
    // The raw local file system, so that checksum files do not add reads of their own.
    fs = new CountingFileSystem(((org.apache.hadoop.fs.LocalFileSystem) TestFiles.localFs()).getRawFileSystem());
    List<TensorSpec> specs = List.of(
        new TensorSpec("small", DType.I32, new long[] {3}), new TensorSpec("big", DType.U8, new long[] {BIG}));
    file = TestFiles.written(specs, Map.of("k", "v"), List.of(TestFiles.randomBytes(1, 12), TestFiles.randomBytes(2, BIG)));
    path = TestFiles.save(dir.resolve("big.safetensors"), file);
  }

  @Test
  void readingTheHeaderReadsOnlyTheLengthFieldAndTheHeader() throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, path);
    assertEquals(h.dataStart(), fs.bytesRead);
    assertTrue(fs.bytesRead < 1000, "read " + fs.bytesRead + " bytes of " + file.length);
  }

  @Test
  void copyRangeStreamsExactlyTheRangeInBoundedChunks() throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, path);
    SafetensorsHeader.Entry big = h.entry("big").orElseThrow();
    fs.bytesRead = 0;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsReader.copyRange(fs, path, h.dataStart() + big.begin(), BIG, out);

    byte[] expected = Arrays.copyOfRange(file, (int) (h.dataStart() + big.begin()), file.length);
    assertArrayEquals(expected, out.toByteArray());
    assertEquals(BIG, fs.bytesRead);
    assertTrue(fs.largestRead <= SafetensorsReader.CHUNK_BYTES, "largest read " + fs.largestRead);
  }

  @Test
  void readRangeGivesALittleEndianBufferOfTheRange() throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, path);
    ByteBuffer b = SafetensorsReader.readRange(fs, path, h.dataStart(), 12);
    assertEquals(12, b.remaining());
    assertEquals(ByteBuffer.wrap(file, (int) h.dataStart(), 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(), b.getInt(0));
    ByteBuffer all = SafetensorsReader.readRange(fs, path, 0, file.length);
    assertArrayEquals(file, all.array());
  }

  @Test
  void rangePastTheEndOfTheFileIsInvalidInput() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> SafetensorsReader.copyRange(fs, path, file.length - 4, 5, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("runs past the end of the file (" + file.length + " bytes)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.readRange(fs, path, -1, 1));
  }

  @Test
  void rangeOfAMissingFileIsReportedAsNoSuchFile() {
    Path absent = TestFiles.hadoopPath(dir.resolve("nope.safetensors"));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> SafetensorsReader.readRange(fs, absent, 0, 1));
    assertEquals("no such file: " + absent, e.getMessage());
  }
}
