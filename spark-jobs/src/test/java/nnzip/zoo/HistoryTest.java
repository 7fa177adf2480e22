package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path dir;

  private static HistoryRecord record(String name, Status s, int i) {
    return new HistoryRecord("run" + i, "2026-12-05T00:00:0" + (i % 10) + "Z", name, s, s == Status.FAILED ? "boom" : "new",
        s == Status.FAILED ? null : new Fingerprint("src" + i, "rec", "v", "c"), s == Status.FAILED ? null : 100L + i,
        1000L, s == Status.FAILED ? null : 10.0, i % 2 == 0 ? 0.5 + i / 100.0 : null, 1.25);
  }

  @Test
  void aRecordSurvivesItsLine() {
    HistoryRecord r = record("m", Status.OK, 4);
    assertEquals(r, HistoryRecord.parse(r.toLine()));
    HistoryRecord f = record("m", Status.FAILED, 3);
    assertEquals(f, HistoryRecord.parse(f.toLine()));
  }

  @Test
  void aTornLastLineIsSkippedAndTheNextAppendStartsAFreshLine() throws Exception {
    History h = new History(dir);
    h.append(record("a", Status.OK, 1));
    String full = record("b", Status.OK, 2).toLine();
    Files.writeString(h.file(), full.substring(0, full.length() / 2), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertEquals(1, h.read().size(), "the torn line is no record");
    h.append(record("c", Status.FAILED, 3));
    List<HistoryRecord> all = h.read();
    assertEquals(List.of("a", "c"), all.stream().map(HistoryRecord::name).toList());
  }

  @Test
  void concurrentAppendsGiveWholeLines() throws Exception {
    History h = new History(dir);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int base = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 50; i++) {
          try {
            h.append(record("m" + base, Status.OK, i));
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(400, h.read().size());
    assertEquals(400, Files.readAllLines(h.file()).size());
  }

  @Test
  void lastGoodIgnoresFailures() {
    List<HistoryRecord> rs = List.of(record("a", Status.OK, 1), record("a", Status.FAILED, 2), record("b", Status.SKIPPED, 3));
    Map<String, HistoryRecord> good = History.lastGood(rs);
    assertEquals("run1", good.get("a").runId());
    assertEquals("run3", good.get("b").runId());
    assertEquals(Status.FAILED, History.last(rs).get("a").status());
    assertNull(HistoryRecord.parse("{\"schemaVersion\":2,\"name\":\"x\"}"), "a newer schema is not read as this one");
  }
}
