package nnzip.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.Progress;
import nnzip.compress.TensorReader;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Read throughput of the job's path (Hadoop FileSystem, chunked reads, conversion to float) against
 * a plain sequential {@link FileChannel} read of the same file in the same run. Runs alternate so
 * both see the same page-cache state; the best of each is reported.
 */
public final class IoBenchmark {
  private IoBenchmark() {}

  /** Runs the comparison; returns figures for the JSON report. */
  public static Map<String, Object> run(FileSystem fs, Path file, int repeats, Progress progress) throws IOException {
    List<StoredTensor> tensors = SafetensorsReader.tensors(fs, file);
    long bytes = fs.getFileStatus(file).getLen();
    double bestPlain = Double.MAX_VALUE;
    double bestJob = Double.MAX_VALUE;
    double checksum = 0;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      checksum += plainRead(new java.io.File(file.toUri()).toPath());
      double plain = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      double[] sum = {0};
      for (StoredTensor t : tensors) {
        TensorReader.readAll(fs, t, (raw, values, n, first) -> sum[0] += values[n - 1]);
      }
      double job = (System.nanoTime() - t0) / 1e9;
      checksum += sum[0];
      bestPlain = Math.min(bestPlain, plain);
      bestJob = Math.min(bestJob, job);
      progress.report(String.format("io run %d: plain FileChannel %.2f s, job path %.2f s", r + 1, plain, job));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fileBytes", bytes);
    m.put("plainSeconds", bestPlain);
    m.put("jobPathSeconds", bestJob);
    m.put("plainMBps", bytes / 1e6 / bestPlain);
    m.put("jobPathMBps", bytes / 1e6 / bestJob);
    m.put("throughputRatio", bestPlain / bestJob);
    m.put("goalRatio", 0.8);
    m.put("checksum", checksum);
    return m;
  }

  private static long plainRead(java.nio.file.Path p) throws IOException {
    long sum = 0;
    ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      while (ch.read(buf) > 0) {
        buf.flip();
        sum += buf.get(buf.limit() - 1);
        buf.clear();
      }
    }
    return sum;
  }
}
