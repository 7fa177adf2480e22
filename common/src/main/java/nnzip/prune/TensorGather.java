package nnzip.prune;

/**
 * Drops or reorders slices of a row-major tensor along one axis, element type agnostic (bytes per
 * element).
 */
final class TensorGather {
  private TensorGather() {}

  /**
   * Removes the indices flagged in {@code drop} along {@code axis}.
   *
   * @param data row-major elements, {@code product(dims) * elementBytes} bytes
   * @param dims the shape; {@code dims[axis]} is updated to the kept count
   * @param drop length {@code dims[axis]}: true for each index to remove
   * @return the kept elements, row-major
   */
  static byte[] dropAlong(byte[] data, long[] dims, int axis, boolean[] drop, int elementBytes) {
    if (drop.length != dims[axis]) {
      throw new IllegalArgumentException("axis " + axis + " has " + dims[axis] + " entries, drop mask " + drop.length);
    }
    long outer = Shapes.product(java.util.Arrays.copyOf(dims, axis), 0);
    long inner = Math.multiplyExact(Shapes.product(dims, axis + 1), elementBytes);
    int kept = 0;
    for (boolean d : drop) {
      kept += d ? 0 : 1;
    }
    byte[] out = new byte[Math.toIntExact(outer * kept * inner)];
    int pos = 0;
    for (long o = 0; o < outer; o++) {
      for (int i = 0; i < drop.length; i++) {
        if (!drop[i]) {
          System.arraycopy(data, (int) ((o * drop.length + i) * inner), out, pos, (int) inner);
          pos += (int) inner;
        }
      }
    }
    dims[axis] = kept;
    return out;
  }

  /**
   * Gathers along {@code axis}: entry j of the result is entry {@code index[j]} of {@code data}.
   *
   * @param data row-major elements, {@code product(dims) * elementBytes} bytes
   * @param dims the shape; {@code dims[axis]} becomes {@code index.length}
   * @param index each in [0, dims[axis])
   * @return the gathered elements, row-major
   */
  static byte[] gatherAlong(byte[] data, long[] dims, int axis, int[] index, int elementBytes) {
    int n = Math.toIntExact(dims[axis]);
    long outer = Shapes.product(java.util.Arrays.copyOf(dims, axis), 0);
    long inner = Math.multiplyExact(Shapes.product(dims, axis + 1), elementBytes);
    byte[] out = new byte[Math.toIntExact(Math.multiplyExact(outer * index.length, inner))];
    int pos = 0;
    for (long o = 0; o < outer; o++) {
      for (int j : index) {
        if (j < 0 || j >= n) {
          throw new IllegalArgumentException("index " + j + " outside axis " + axis + " of " + n + " entries");
        }
        System.arraycopy(data, (int) ((o * n + j) * inner), out, pos, (int) inner);
        pos += (int) inner;
      }
    }
    dims[axis] = index.length;
    return out;
  }
}
