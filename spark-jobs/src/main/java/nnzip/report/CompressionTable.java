package nnzip.report;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.stream.Collectors;
import nnzip.artifact.Manifest;
import nnzip.artifact.TensorRecord;
import nnzip.job.Units;

/**
 * The per-tensor table a person reads after compress or inspect: tensor, shape, codec,
 * bits/weight, relative error, bytes before and after, and the overall file ratio.
 */
public final class CompressionTable {
  private CompressionTable() {}

  /**
   * Prints the table.
   *
   * @param sourceBytes bytes of the source model files (0 if unknown)
   * @param artifactBytes bytes of the artifact file
   */
  public static void print(PrintStream out, Manifest m, long sourceBytes, long artifactBytes) {
    int nameWidth = Math.max(6, Math.min(48, m.tensors().stream().mapToInt(t -> t.spec().name().length()).max().orElse(6)));
    String fmt = "%-" + nameWidth + "s  %-16s  %-11s  %8s  %10s  %12s  %12s%n";
    out.printf(fmt, "tensor", "shape", "codec", "bits/w", "rel.error", "bytes before", "bytes after");
    for (TensorRecord t : m.tensors()) {
      out.printf(fmt, abbreviate(t.spec().name(), nameWidth), shape(t.spec().shape()), codec(t),
          String.format("%.3f", t.bitsPerWeight()),
          t.isPassthrough() ? "-" : String.format("%.2e", t.relativeMse()),
          Long.toString(t.originalBytes()), Long.toString(t.storedBytes()));
    }
    long weights = m.tensors().stream().mapToLong(t -> t.spec().numElements()).sum();
    out.printf(fmt, "total", weights + " w", "", String.format("%.3f", 8.0 * artifactBytes / Math.max(1, weights)), "",
        Long.toString(m.originalTensorBytes()), Long.toString(m.storedTensorBytes()));
    if (sourceBytes > 0) {
      out.printf("file: %s -> %s, ratio %.2fx (original file bytes / artifact bytes)%n",
          Units.bytes(sourceBytes), Units.bytes(artifactBytes), (double) sourceBytes / artifactBytes);
    } else {
      out.printf("artifact: %s, tensors %.2fx smaller than their originals%n", Units.bytes(artifactBytes),
          (double) m.originalTensorBytes() / Math.max(1, m.storedTensorBytes()));
    }
  }

  private static String codec(TensorRecord t) {
    boolean arithmetic = t.entries().stream().anyMatch(e -> e.role().equals(nnzip.artifact.StoredEntry.CODES_CABAC));
    return t.isPassthrough() ? "passthrough" : t.codec() + "/" + t.bits() + (t.scope() == null ? "" : "/" + t.scope().charAt(0))
        + (arithmetic ? "+ac" : "");
  }

  static String shape(long[] shape) {
    return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x", "[", "]"));
  }

  private static String abbreviate(String s, int width) {
    return s.length() <= width ? s : "…" + s.substring(s.length() - width + 1);
  }
}
