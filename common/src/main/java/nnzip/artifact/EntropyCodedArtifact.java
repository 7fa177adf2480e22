package nnzip.artifact;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnzip.Progress;
import nnzip.codec.entropy.CodeStreamCoder;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The entropy pass: rewrites an artifact with every bit-packed code stream arithmetic-coded by
 * {@link CodeStreamCoder} (context-adaptive, the neighbours to the left and above in the weight
 * matrix as context), in independent segments of whole rows, each a manifest chunk, so readers decode
 * one segment at a time and a later distributed pass could code segments on executors. A tensor
 * whose coded stream would not be smaller keeps its packed codes. Every other entry is copied.
 *
 * <p>Skewed code distributions are where this pays: after magnitude pruning most codes are the one
 * level near zero, which bit-packing stores at full width and the arithmetic coder in a small
 * fraction of a bit.
 */
public final class EntropyCodedArtifact {
  private EntropyCodedArtifact() {}

  /**
   * Writes {@code file} from {@code packed}.
   *
   * @return the new artifact's size in bytes
   */
  public static long write(Artifact packed, FileSystem fs, Path file, Progress progress) throws IOException {
    Map<String, EntryData> data = new HashMap<>();
    List<TensorRecord> records = new ArrayList<>();
    long before = 0;
    long after = 0;
    boolean coded = false;
    for (TensorRecord t : packed.manifest().tensors()) {
      StoredEntry codes = t.entries().stream().filter(e -> e.role().equals(StoredEntry.CODES)).findFirst()
          .orElse(null);
      if (codes == null) {
        records.add(t);
        continue;
      }
      CodeReader.Layout layout = CodeReader.layoutOf(packed, t);
      List<byte[]> segments = encode(packed, t, layout);
      long bytes = segments.stream().mapToLong(s -> s.length).sum();
      before += codes.bytes();
      if (bytes >= codes.bytes()) {
        after += codes.bytes();
        records.add(t);
        continue;
      }
      after += bytes;
      coded = true;
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream((int) bytes);
      segments.forEach(all::writeBytes);
      data.put(codes.key(), new EntryData.InMemory(all.toByteArray()));
      List<StoredEntry> entries = new ArrayList<>();
      for (StoredEntry e : t.entries()) {
        entries.add(e == codes ? new StoredEntry(e.key(), StoredEntry.CODES_CABAC, CodeReader.chunksOf(segments)) : e);
      }
      records.add(new TensorRecord(t.spec(), t.codec(), t.bits(), t.scope(), t.channels(), t.channelAxis(),
          t.original(), t.relativeMse(), t.maxAbsError(), entries));
    }
    Manifest m = packed.manifest();
    Manifest next = new Manifest(Manifest.COMPACT_FORMAT_VERSION, m.sourceFormat(), m.sourceMetadata(),
        m.graphKey(), records, m.shared());
    ArtifactWriter.rewrite(packed, fs, file, next, packed.recipe(), packed.source(), data);
    progress.report(String.format("entropy: code streams %,d → %,d bytes", before, after));
    return fs.getFileStatus(file).getLen();
  }

  private static List<byte[]> encode(Artifact a, TensorRecord t, CodeReader.Layout layout) throws IOException {
    List<byte[]> segments = new ArrayList<>();
    int per = CodeReader.segmentCodes(layout.rowLength());
    int[] buf = new int[(int) Math.min(per, Math.max(1, layout.count()))];
    try (CodeReader r = CodeReader.open(a, t, layout.count(), layout.rowLength())) {
      for (long first = 0; first < layout.count(); first += per) {
        int n = (int) Math.min(per, layout.count() - first);
        r.read(buf, n);
        segments.add(CodeStreamCoder.encode(buf, 0, n, t.bits(), layout.rowLength()));
      }
    }
    return segments;
  }
}
