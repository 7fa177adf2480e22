package nnzip.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nnzip.InvalidInputException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A {@link TrainingState} on a Hadoop path, written atomically (temporary file, then rename) so a
 * killed driver leaves either the previous checkpoint or the new one. The file carries a format
 * version and a fingerprint of the run (input, recipe, data, seed): a checkpoint of another run is
 * never resumed from. Layout: magic, version, fingerprint, position, running sums, named arrays.
 */
public final class CheckpointFile {
  private static final long MAGIC = 0x4E4E5A434B505431L; // "NNZCKPT1"
  private static final int VERSION = 1;

  private CheckpointFile() {}

  /** Writes the state, replacing any earlier checkpoint at {@code file}. */
  public static void write(FileSystem fs, Path file, String fingerprint, TrainingState s) throws IOException {
    Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
    try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(fs.create(tmp, true)))) {
      out.writeLong(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(fingerprint);
      out.writeInt(s.epoch());
      out.writeInt(s.step());
      out.writeDouble(s.epochLoss());
      out.writeLong(s.epochCorrect());
      out.writeLong(s.epochSeen());
      out.writeInt(s.history().size());
      for (EpochStats e : s.history()) {
        out.writeInt(e.epoch());
        out.writeInt(e.steps());
        out.writeDouble(e.trainLoss());
        out.writeDouble(e.validationAccuracy());
        out.writeDouble(e.seconds());
      }
      ParameterValues p = s.params();
      out.writeInt(p.names().size());
      for (int i = 0; i < p.names().size(); i++) {
        out.writeUTF(p.names().get(i));
        writeLongs(out, p.shapes().get(i));
        writeFloats(out, p.values()[i]);
        writeFloats(out, s.optimizer().first()[i]);
        writeFloats(out, s.optimizer().second()[i]);
      }
      out.writeLong(s.optimizer().steps());
      out.writeInt(s.statistics().size());
      for (Map.Entry<String, float[]> e : s.statistics().entrySet()) {
        out.writeUTF(e.getKey());
        writeFloats(out, e.getValue());
      }
    }
    if (fs.exists(file) && !fs.delete(file, false)) {
      throw new IOException("cannot replace checkpoint " + file);
    }
    if (!fs.rename(tmp, file)) {
      throw new IOException("cannot rename " + tmp + " to " + file);
    }
  }

  /**
   * The saved state, if {@code file} exists.
   *
   * @throws InvalidInputException if the file is corrupt, of another format version, or belongs to
   *     a run with another fingerprint
   */
  public static Optional<TrainingState> read(FileSystem fs, Path file, String fingerprint) throws IOException {
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(fs.open(file)))) {
      if (in.readLong() != MAGIC || in.readInt() != VERSION) {
        throw new InvalidInputException(file + ": not an nnzip checkpoint of format version " + VERSION);
      }
      String fp = in.readUTF();
      if (!fp.equals(fingerprint)) {
        throw new InvalidInputException(file + ": checkpoint of another run (input, recipe, data or seed differ);"
            + " remove it to start afresh");
      }
      int epoch = in.readInt();
      int step = in.readInt();
      double loss = in.readDouble();
      long correct = in.readLong();
      long seen = in.readLong();
      int h = in.readInt();
      List<EpochStats> history = new ArrayList<>();
      for (int i = 0; i < h; i++) {
        history.add(new EpochStats(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readDouble()));
      }
      int n = in.readInt();
      List<String> names = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      float[][] values = new float[n][];
      float[][] m = new float[n][];
      float[][] v = new float[n][];
      for (int i = 0; i < n; i++) {
        names.add(in.readUTF());
        shapes.add(readLongs(in));
        values[i] = readFloats(in);
        m[i] = readFloats(in);
        v[i] = readFloats(in);
      }
      long steps = in.readLong();
      Map<String, float[]> stats = new LinkedHashMap<>();
      int ns = in.readInt();
      for (int i = 0; i < ns; i++) {
        stats.put(in.readUTF(), readFloats(in));
      }
      return Optional.of(new TrainingState(epoch, step, new ParameterValues(names, shapes, values),
          new OptimizerState(new long[] {steps}, m, v), stats, history, loss, correct, seen));
    } catch (EOFException | IllegalArgumentException | NegativeArraySizeException e) {
      throw new InvalidInputException(file + ": checkpoint is truncated or corrupt (" + e.getMessage() + ")", e);
    }
  }

  private static void writeLongs(DataOutputStream out, long[] a) throws IOException {
    out.writeInt(a.length);
    for (long x : a) {
      out.writeLong(x);
    }
  }

  private static long[] readLongs(DataInputStream in) throws IOException {
    long[] a = new long[in.readInt()];
    for (int i = 0; i < a.length; i++) {
      a[i] = in.readLong();
    }
    return a;
  }

  private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
    out.writeInt(a.length);
    for (float x : a) {
      out.writeInt(Float.floatToRawIntBits(x));
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    float[] a = new float[in.readInt()];
    for (int i = 0; i < a.length; i++) {
      a[i] = Float.intBitsToFloat(in.readInt());
    }
    return a;
  }
}
