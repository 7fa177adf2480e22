package nnzip.report;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.stream.Collectors;
import nnzip.artifact.Manifest;
import nnzip.artifact.StoredEntry;
import nnzip.artifact.TensorRecord;
import nnzip.job.Units;

/**
 * The per-tensor table a person reads after compress or inspect: tensor, shape, codec with its bits
 * and grouping (c channel, t tensor, g global, bN blocks of N channels; +f16 when its side
 * information is F16), bits/weight including side information (shared codebooks amortized over the
 * tensors sharing them, by elements), the side information's share of that, relative error, bytes
 * before and after, and the overall file ratio.
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
    String fmt = "%-" + nameWidth + "s  %-16s  %-18s  %8s  %8s  %10s  %12s  %12s%n";
    out.printf(fmt, "tensor", "shape", "codec", "bits/w", "side b/w", "rel.error", "bytes before", "bytes after");
    long sharedBytes = m.shared().stream().mapToLong(StoredEntry::bytes).sum();
    long sharingElements = m.tensors().stream().filter(CompressionTable::sharesCodebooks)
        .mapToLong(t -> t.spec().numElements()).sum();
    double sideBits = 0;
    for (TensorRecord t : m.tensors()) {
      long n = t.spec().numElements();
      double shared = sharesCodebooks(t) && sharingElements > 0 ? (double) sharedBytes * n / sharingElements : 0;
      double side = sideBytes(t) + shared;
      sideBits += 8 * side;
      out.printf(fmt, abbreviate(t.spec().name(), nameWidth), shape(t.spec().shape()), codec(t),
          String.format("%.3f", n == 0 ? 0 : 8 * (t.storedBytes() + shared) / n),
          t.isPassthrough() ? "-" : String.format("%.3f", n == 0 ? 0 : 8 * side / n),
          t.isPassthrough() ? "-" : String.format("%.2e", t.relativeMse()),
          Long.toString(t.originalBytes()), Long.toString(t.storedBytes()));
    }
    long weights = m.tensors().stream().mapToLong(t -> t.spec().numElements()).sum();
    out.printf(fmt, "total", weights + " w", "", String.format("%.3f", 8.0 * artifactBytes / Math.max(1, weights)),
        String.format("%.3f", sideBits / Math.max(1, weights)), "",
        Long.toString(m.originalTensorBytes()), Long.toString(m.storedTensorBytes()));
    if (sourceBytes > 0) {
      out.printf("file: %s -> %s, ratio %.2fx (original file bytes / artifact bytes)%n",
          Units.bytes(sourceBytes), Units.bytes(artifactBytes), (double) sourceBytes / artifactBytes);
    } else {
      out.printf("artifact: %s, tensors %.2fx smaller than their originals%n", Units.bytes(artifactBytes),
          (double) m.originalTensorBytes() / Math.max(1, m.storedTensorBytes()));
    }
  }

  /** Whether a tensor uses the manifest's shared parameters (global scope, or aq's shared codebooks). */
  private static boolean sharesCodebooks(TensorRecord t) {
    return !t.isPassthrough() && (Manifest.GLOBAL_SCOPE.equals(t.scope()) || t.codec() == nnzip.codec.CodecKind.AQ);
  }

  /** Bytes of a tensor's own codec parameters (levels, min/step, scales). */
  private static long sideBytes(TensorRecord t) {
    return t.entries().stream().filter(e -> e.parameterName() != null).mapToLong(StoredEntry::bytes).sum();
  }

  private static String codec(TensorRecord t) {
    if (t.isPassthrough()) {
      return "passthrough";
    }
    boolean arithmetic = t.entries().stream().anyMatch(e -> e.role().equals(StoredEntry.CODES_CABAC));
    boolean half = t.entries().stream().anyMatch(StoredEntry::isHalfParameter);
    return t.codec().label() + "/" + t.bits() + grouping(t) + (half ? "+f16" : "") + (arithmetic ? "+ac" : "");
  }

  /** "/c", "/t", "/g" or "/bN" (blocks of N channels), "" without a scope. */
  static String grouping(TensorRecord t) {
    if (t.scope() == null) {
      return "";
    }
    if (t.scope().equals("block")) {
      long[] shape = t.spec().shape();
      long c = t.channelAxis() < shape.length ? shape[t.channelAxis()] : 1;
      return "/b" + (c + t.channels() - 1) / Math.max(1, t.channels());
    }
    return "/" + t.scope().charAt(0);
  }

  static String shape(long[] shape) {
    return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x", "[", "]"));
  }

  private static String abbreviate(String s, int width) {
    return s.length() <= width ? s : "…" + s.substring(s.length() - width + 1);
  }
}
