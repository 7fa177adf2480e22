package nnzip.train.chain;

/**
 * Java arrays that steps copy activations and columns into for their loops, one per use, shared by
 * every step of an engine: a step's use of them ends before the next step runs, so one array of the
 * largest size replaces one per step (resnet20's convolutions at 256 rows held 1.7 GB of them).
 * Arrays only grow; callers use the first {@code length} elements. Not thread-safe.
 */
final class Scratch {
  static final int IN = 0;
  static final int COLUMNS = 1;
  static final int OUT = 2;
  static final int OUT_T = 3;

  private final float[][] arrays = new float[4][];

  /** The array of a use, at least {@code length} long (contents left over from earlier uses). */
  float[] get(int use, int length) {
    if (arrays[use] == null || arrays[use].length < length) {
      arrays[use] = new float[length];
    }
    return arrays[use];
  }
}
