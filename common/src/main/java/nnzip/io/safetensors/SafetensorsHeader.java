package nnzip.io.safetensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import nnzip.io.StoredTensor;
import nnzip.tensor.TensorSpec;

/**
 * The parsed header of one safetensors file: its tensors with their byte ranges, its {@code
 * __metadata__} map, and where the data area starts. A header built by {@link #parse} has been
 * checked against the file size as strictly as the reference implementation does, so every range
 * lies inside the file and the ranges tile the data area without gap or overlap.
 *
 * @param entries tensors ordered by begin offset (ties, which only zero-size tensors can have, in
 *     header order)
 * @param metadata the {@code __metadata__} string map in header order; empty if absent
 * @param dataStart absolute offset of the data area: 8 + header length
 * @param fileSize total file size in bytes, ≥ {@code dataStart}
 */
public record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata, long dataStart, long fileSize) {

  /**
   * Largest header accepted, in bytes: the reference implementation's limit (100,000,000), so that a
   * lying length field cannot make us allocate gigabytes.
   */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /**
   * One tensor of the header.
   *
   * @param spec name, dtype and shape
   * @param begin offset of the first byte, relative to the data area
   * @param end offset one past the last byte, relative to the data area; end − begin = byteSize
   */
  public record Entry(TensorSpec spec, long begin, long end) {
    /** @throws IllegalArgumentException unless 0 ≤ begin ≤ end and end − begin = spec.byteSize() */
    public Entry {
      Objects.requireNonNull(spec, "spec");
      if (begin < 0 || end < begin || end - begin != spec.byteSize()) {
        throw new IllegalArgumentException(
            "range [" + begin + ", " + end + ") does not hold the " + spec.byteSize() + " bytes of " + spec);
      }
    }

    /** The tensor name. */
    public String name() {
      return spec.name();
    }
  }

  /**
   * Copies the entries and metadata (both then unmodifiable). Only structural invariants are checked
   * here; {@link #parse} gives file-level validation with user-facing messages.
   *
   * @throws IllegalArgumentException if dataStart &lt; 8, fileSize &lt; dataStart, or an entry ends
   *     past the data area
   */
  public SafetensorsHeader {
    entries = List.copyOf(entries);
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    if (dataStart < 8 || fileSize < dataStart) {
      throw new IllegalArgumentException("dataStart " + dataStart + " and fileSize " + fileSize + " are inconsistent");
    }
    for (Entry e : entries) {
      if (e.end() > fileSize - dataStart) {
        throw new IllegalArgumentException(e.name() + " ends at " + e.end() + ", past the data area of " + (fileSize - dataStart) + " bytes");
      }
    }
  }

  /**
   * Parses and validates the JSON header of a file.
   *
   * @param file the file, named in error messages
   * @param fileSize total size of the file in bytes
   * @param json the header bytes as stored (may end with padding spaces); {@code 8 + json.length}
   *     is the data start
   * @return the header, entries sorted by offset
   * @throws nnzip.InvalidInputException if the header is malformed or does not match the file size
   */
  public static SafetensorsHeader parse(Object file, long fileSize, byte[] json) {
    return HeaderParser.parse(file, fileSize, json);
  }

  /** Number of bytes in the data area: {@code fileSize − dataStart}. */
  public long dataSize() {
    return fileSize - dataStart;
  }

  /** The entry named {@code name}, if the header has one. */
  public Optional<Entry> entry(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** The tensor specs in entry order. */
  public List<TensorSpec> specs() {
    return entries.stream().map(Entry::spec).toList();
  }

  /**
   * Where each tensor lies in the file, with absolute offsets ({@code dataStart + begin}), in entry
   * order.
   *
   * @param file the Hadoop path string of this header's file, stored in every result
   */
  public List<StoredTensor> tensors(String file) {
    return entries.stream().map(e -> new StoredTensor(e.spec(), file, dataStart + e.begin())).toList();
  }
}
