package nnzip.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import nnzip.ResourceLimitException;

/**
 * The memory check made before an array of a data file is read: its bytes counted twice (the read
 * buffer may be copied once) plus the 4-byte float or int copy every caller makes must fit in the
 * heap this JVM can still allocate. The check is made once the first {@value #PROBE_BYTES} bytes
 * have arrived: a lying header over a short file stays a truncation (invalid input), while a small
 * archive that inflates to gigabytes (a zip bomb) ends in one line, not an OutOfMemoryError.
 */
final class HeapBudget {
  /** How to raise the limit, quoted in the message. */
  static final String RAISE = "raise the driver's heap (--driver-memory, spark.driver.memory or -Xmx)";

  /** Bytes read before the check: enough to tell a short file from a real one, small enough to ignore. */
  static final int PROBE_BYTES = 16 << 20;

  private HeapBudget() {}

  /**
   * Reads up to {@code bytes} bytes of an array of {@code elements} elements; fewer only where the
   * stream ends first (the caller reports the truncation). Memory follows the data that arrives.
   *
   * @throws ResourceLimitException if more than {@value #PROBE_BYTES} bytes arrive and the whole
   *     array would not fit the heap ({@link #check})
   * @throws IOException if the stream fails
   */
  static byte[] read(InputStream in, String name, long bytes, long elements) throws IOException {
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(name + ": " + bytes + " bytes exceed the array limit");
    }
    int probe = (int) Math.min(bytes, PROBE_BYTES);
    byte[] head = in.readNBytes(probe);
    if (head.length < probe || probe == bytes) {
      return head;
    }
    check(name, bytes, elements);
    byte[] all = Arrays.copyOf(head, (int) bytes);
    int rest = in.readNBytes(all, probe, all.length - probe);
    return rest == all.length - probe ? all : Arrays.copyOf(all, probe + rest);
  }

  /** Bytes the heap can still allocate: the maximum heap less what is in use now. */
  static long free() {
    Runtime r = Runtime.getRuntime();
    return r.maxMemory() - (r.totalMemory() - r.freeMemory());
  }

  /**
   * Checks that an array of {@code elements} elements held in {@code bytes} raw bytes fits.
   *
   * @throws ResourceLimitException naming the array, the memory it needs and the free heap
   */
  static void check(String name, long bytes, long elements) {
    long needed = 2 * bytes + 4 * elements;
    long free = free();
    if (needed > free) {
      throw new ResourceLimitException(name + ": its header promises " + bytes + " data bytes ("
          + elements + " elements), which need " + mib(needed) + " MiB of heap to read and convert, more than the "
          + mib(free) + " MiB free; " + RAISE + ", or check the file");
    }
  }

  private static long mib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }
}
