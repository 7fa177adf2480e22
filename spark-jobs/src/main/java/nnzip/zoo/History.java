package nnzip.zoo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zoo's {@code _history.jsonl}: one JSON line per model per run, only ever appended. Each line
 * is one write followed by an fsync, so a killed run leaves at most one torn last line, which
 * readers skip and the next append starts after on a fresh line.
 */
public final class History {
  /** File name of the history under the zoo's output directory. */
  public static final String FILE = "_history.jsonl";

  private final Path file;

  public History(Path outDir) {
    this.file = outDir.resolve(FILE);
  }

  public Path file() {
    return file;
  }

  /** Every readable record, in file order (none when the file does not exist). */
  public List<HistoryRecord> read() throws IOException {
    List<HistoryRecord> all = new ArrayList<>();
    if (!Files.exists(file)) {
      return all;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      HistoryRecord r = line.isBlank() ? null : HistoryRecord.parse(line);
      if (r != null) {
        all.add(r);
      }
    }
    return all;
  }

  /** The last record of each model, in the order models first appear. */
  public static Map<String, HistoryRecord> last(List<HistoryRecord> records) {
    Map<String, HistoryRecord> m = new LinkedHashMap<>();
    records.forEach(r -> m.put(r.name(), r));
    return m;
  }

  /** The last ok or skipped record of each model with a fingerprint. */
  public static Map<String, HistoryRecord> lastGood(List<HistoryRecord> records) {
    Map<String, HistoryRecord> m = new LinkedHashMap<>();
    for (HistoryRecord r : records) {
      if (r.status() != Status.FAILED && r.fingerprint() != null) {
        m.put(r.name(), r);
      }
    }
    return m;
  }

  /** Appends one record as one line, durably; safe to call from several threads. */
  public synchronized void append(HistoryRecord record) throws IOException {
    byte[] line = (record.toLine() + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(line);
      long size = ch.size();
      if (size > 0 && !endsWithNewline(size)) {
        // The last run was killed mid-line: start this one on a line of its own.
        buf = ByteBuffer.allocate(line.length + 1).put((byte) '\n').put(line).flip();
      }
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  private boolean endsWithNewline(long size) throws IOException {
    try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      r.read(b, size - 1);
      return b.get(0) == '\n';
    }
  }
}
