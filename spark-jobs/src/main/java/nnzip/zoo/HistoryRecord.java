package nnzip.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One line of {@code _history.jsonl}: one model's outcome in one zoo run. Fields that do not apply
 * (a failed model's ratio, a model without data's accuracy) are null; a skipped model carries its
 * last good run's figures.
 *
 * @param runId the run's id (shared by every line of that run)
 * @param time when the model's outcome was decided, ISO-8601 UTC
 * @param name the model's name
 * @param status ok, skipped or failed
 * @param reason why it ran or was skipped ({@link Reason#label}), or a failed model's one-line error
 * @param fingerprint the digests it ran with; null when a failure came before they were known
 * @param bytes artifact bytes, or null
 * @param sourceBytes source bytes, or null
 * @param ratio source bytes / artifact bytes, or null
 * @param accuracy test accuracy of the decoded model in [0, 1] when the model trains on data, or null
 * @param seconds wall time spent on the model in this run, ≥ 0
 */
public record HistoryRecord(String runId, String time, String name, Status status, String reason,
    Fingerprint fingerprint, Long bytes, Long sourceBytes, Double ratio, Double accuracy, double seconds) {
  /** Version of the line's schema; readers skip lines of a newer major version. */
  public static final int SCHEMA_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public HistoryRecord {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if (!(seconds >= 0)) {
      throw new IllegalArgumentException("seconds must be ≥ 0, got " + seconds);
    }
  }

  /** The line as a JSON object (field order fixed). */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("schemaVersion", SCHEMA_VERSION);
    o.put("runId", runId);
    o.put("time", time);
    o.put("name", name);
    o.put("status", status.label());
    o.put("reason", reason);
    o.put("sourceSha256", fingerprint == null ? null : fingerprint.sourceSha256());
    o.put("recipeSha256", fingerprint == null ? null : fingerprint.recipeSha256());
    o.put("nnzipVersion", fingerprint == null ? nnzip.Version.version() : fingerprint.nnzipVersion());
    o.put("gitCommit", fingerprint == null ? nnzip.Version.commit() : fingerprint.gitCommit());
    o.put("bytes", bytes);
    o.put("sourceBytes", sourceBytes);
    o.put("ratio", ratio);
    o.put("accuracy", accuracy);
    o.put("seconds", Math.round(seconds * 1000) / 1000.0);
    return o;
  }

  /** One JSON line, no newline. */
  public String toLine() {
    return toJson().toString();
  }

  /**
   * Parses a line written by {@link #toLine}.
   *
   * @return the record, or null for a line that is not one (torn by a crash, or a newer schema)
   */
  public static HistoryRecord parse(String line) {
    try {
      JsonNode o = JSON.readTree(line);
      if (o == null || !o.isObject() || o.path("schemaVersion").asInt(-1) != SCHEMA_VERSION) {
        return null;
      }
      Fingerprint f = o.path("sourceSha256").isTextual() && o.path("recipeSha256").isTextual()
          ? new Fingerprint(o.get("sourceSha256").asText(), o.get("recipeSha256").asText(),
              o.path("nnzipVersion").asText(), o.path("gitCommit").asText())
          : null;
      return new HistoryRecord(o.get("runId").asText(), o.get("time").asText(), o.get("name").asText(),
          Status.parse(o.get("status").asText()), o.get("reason").asText(), f, longOrNull(o, "bytes"),
          longOrNull(o, "sourceBytes"), doubleOrNull(o, "ratio"), doubleOrNull(o, "accuracy"),
          o.path("seconds").asDouble());
    } catch (Exception e) {
      // A torn last line (the writer was killed mid-line) or a foreign line: not a record.
      return null;
    }
  }

  private static Long longOrNull(JsonNode o, String k) {
    return o.path(k).isNumber() ? o.get(k).asLong() : null;
  }

  private static Double doubleOrNull(JsonNode o, String k) {
    return o.path(k).isNumber() ? o.get(k).asDouble() : null;
  }
}
