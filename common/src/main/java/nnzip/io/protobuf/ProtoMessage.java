package nnzip.io.protobuf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One protocol buffers message as its fields in wire order, each kept as it was read: a message
 * parsed and written back unchanged gives the same bytes, unknown fields included. Length-delimited
 * fields are parsed as messages only when asked ({@link #message}, {@link #messages}), and a field
 * that is set goes where a generated proto3 class would write it (ascending field numbers, default
 * values left out), so an edited message is what protobuf-java would have written for it.
 * Mutable and not thread-safe.
 */
public final class ProtoMessage {
  /** Wire types. */
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  /** Nesting deeper than protobuf-java's default recursion limit is refused as it refuses it. */
  private static final int MAX_DEPTH = 100;

  private final List<Field> fields;
  private final int depth;

  /** One field: a number, a wire type, and a value or a byte slice (LEN), or its parsed message. */
  private static final class Field {
    final int number;
    final int wireType;
    final long value;
    final byte[] data;
    final int offset;
    final int length;
    ProtoMessage message;

    Field(int number, int wireType, long value, byte[] data, int offset, int length) {
      this.number = number;
      this.wireType = wireType;
      this.value = value;
      this.data = data;
      this.offset = offset;
      this.length = length;
    }

    static Field of(int number, ProtoMessage m) {
      Field f = new Field(number, LEN, 0, null, 0, 0);
      f.message = m;
      return f;
    }
  }

  private ProtoMessage(List<Field> fields, int depth) {
    this.fields = fields;
    this.depth = depth;
  }

  /** An empty message. */
  public ProtoMessage() {
    this(new ArrayList<>(), 0);
  }

  /**
   * The top-level fields of {@code bytes} (not copied: the array must not change while this
   * message or its parts live).
   *
   * @throws IllegalArgumentException if the bytes are no well-formed sequence of fields
   */
  public static ProtoMessage parse(byte[] bytes) {
    return parse(bytes, 0, bytes.length, 0);
  }

  private static ProtoMessage parse(byte[] b, int from, int length, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("messages nested more than " + MAX_DEPTH + " deep");
    }
    List<Field> fields = new ArrayList<>();
    int[] pos = {from};
    int end = from + length;
    while (pos[0] < end) {
      long tag = readVarint(b, pos, end);
      int number = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (number < 1 || tag >>> 3 > 0x1FFFFFFF) {
        throw new IllegalArgumentException("field number " + (tag >>> 3) + " at byte " + pos[0]);
      }
      switch (wire) {
        case VARINT -> fields.add(new Field(number, wire, readVarint(b, pos, end), null, 0, 0));
        case I64 -> fields.add(new Field(number, wire, fixed(b, pos, end, 8), null, 0, 0));
        case I32 -> fields.add(new Field(number, wire, fixed(b, pos, end, 4), null, 0, 0));
        case LEN -> {
          long n = readVarint(b, pos, end);
          if (n < 0 || n > end - pos[0]) {
            throw new IllegalArgumentException("field " + number + " claims " + n + " bytes but " + (end - pos[0])
                + " remain (truncated?)");
          }
          fields.add(new Field(number, wire, 0, b, pos[0], (int) n));
          pos[0] += (int) n;
        }
        default -> throw new IllegalArgumentException("field " + number + " has wire type " + wire
            + ", which this reader does not take (groups are deprecated)");
      }
    }
    return new ProtoMessage(fields, depth);
  }

  private static long readVarint(byte[] b, int[] pos, int end) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= end) {
        throw new IllegalArgumentException("a varint runs past the end (truncated?)");
      }
      byte x = b[pos[0]++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("a varint is longer than 10 bytes");
  }

  private static long fixed(byte[] b, int[] pos, int end, int n) {
    if (end - pos[0] < n) {
      throw new IllegalArgumentException("a fixed-width field runs past the end (truncated?)");
    }
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[pos[0] + i] & 0xFF);
    }
    pos[0] += n;
    return v;
  }

  // ---- reading ----

  /** True when field {@code number} occurs. */
  public boolean has(int number) {
    return last(number) != null;
  }

  /** The last value of a varint field (as protobuf, the last one wins), or 0. */
  public long varint(int number) {
    Field f = last(number);
    return f == null || f.wireType != VARINT ? 0 : f.value;
  }

  /** The last value of a 32-bit float field, or 0. */
  public float float32(int number) {
    Field f = last(number);
    return f == null || f.wireType != I32 ? 0f : Float.intBitsToFloat((int) f.value);
  }

  /** The last value of a string field as UTF-8 text, or "". */
  public String string(int number) {
    Field f = last(number);
    return f == null || f.wireType != LEN ? "" : text(f);
  }

  /** Every value of a repeated string field, in order. */
  public List<String> strings(int number) {
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number == number && f.wireType == LEN) {
        out.add(text(f));
      }
    }
    return out;
  }

  /** The last value of a bytes field, read-only and not copied (empty when absent). */
  public ByteBuffer bytes(int number) {
    Field f = last(number);
    if (f == null || f.wireType != LEN) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    return ByteBuffer.wrap(f.data, f.offset, f.length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The byte length of the last value of a bytes field, 0 when absent. */
  public int bytesLength(int number) {
    Field f = last(number);
    return f == null || f.wireType != LEN ? 0 : f.length;
  }

  /**
   * The last occurrence of a message field, parsed (later calls return the same, mutable object),
   * or null when absent.
   *
   * @throws IllegalArgumentException if its bytes are no message
   */
  public ProtoMessage message(int number) {
    Field f = last(number);
    return f == null || f.wireType != LEN ? null : parsed(f);
  }

  /** Every occurrence of a repeated message field, parsed, in order (a new list of the live messages). */
  public List<ProtoMessage> messages(int number) {
    List<ProtoMessage> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number == number && f.wireType == LEN) {
        out.add(parsed(f));
      }
    }
    return out;
  }

  /** Number of occurrences of a field (repeated scalars count their packed elements once per record). */
  public int count(int number) {
    int n = 0;
    for (Field f : fields) {
      if (f.number == number) {
        n++;
      }
    }
    return n;
  }

  /** Every value of a repeated varint field, packed or not, in order. */
  public long[] varints(int number) {
    long[] out = new long[8];
    int n = 0;
    for (Field f : fields) {
      if (f.number != number) {
        continue;
      }
      if (f.wireType == VARINT) {
        out = grow(out, n + 1);
        out[n++] = f.value;
      } else if (f.wireType == LEN) {
        int[] pos = {f.offset};
        while (pos[0] < f.offset + f.length) {
          out = grow(out, n + 1);
          out[n++] = readVarint(f.data, pos, f.offset + f.length);
        }
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Every value of a repeated fixed-width field (wire type 1 or 5), packed or not, as raw bits. */
  public long[] fixeds(int number, boolean wide) {
    int size = wide ? 8 : 4;
    long[] out = new long[8];
    int n = 0;
    for (Field f : fields) {
      if (f.number != number) {
        continue;
      }
      if (f.wireType == (wide ? I64 : I32)) {
        out = grow(out, n + 1);
        out[n++] = f.value;
      } else if (f.wireType == LEN) {
        if (f.length % size != 0) {
          throw new IllegalArgumentException("packed field " + number + " has " + f.length + " bytes, not a multiple of "
              + size);
        }
        int[] pos = {f.offset};
        while (pos[0] < f.offset + f.length) {
          out = grow(out, n + 1);
          out[n++] = fixed(f.data, pos, f.offset + f.length, size);
        }
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static long[] grow(long[] a, int n) {
    return n <= a.length ? a : Arrays.copyOf(a, Math.max(n, 2 * a.length));
  }

  private Field last(int number) {
    for (int i = fields.size() - 1; i >= 0; i--) {
      if (fields.get(i).number == number) {
        return fields.get(i);
      }
    }
    return null;
  }

  private ProtoMessage parsed(Field f) {
    if (f.message == null) {
      f.message = parse(f.data, f.offset, f.length, depth + 1);
    }
    return f.message;
  }

  private static String text(Field f) {
    return f.message != null ? new String(f.message.toByteArray(), StandardCharsets.UTF_8)
        : new String(f.data, f.offset, f.length, StandardCharsets.UTF_8);
  }

  // ---- writing ----

  /** Removes every occurrence of a field. */
  public ProtoMessage clear(int number) {
    fields.removeIf(f -> f.number == number);
    return this;
  }

  /** Removes the occurrences of a message field that match. */
  public ProtoMessage removeMessages(int number, Predicate<ProtoMessage> which) {
    fields.removeIf(f -> f.number == number && f.wireType == LEN && which.test(parsed(f)));
    return this;
  }

  /** Sets a varint field (proto3: 0 removes it). */
  public ProtoMessage setVarint(int number, long value) {
    return replace(number, value == 0 ? null : new Field(number, VARINT, value, null, 0, 0));
  }

  /** Sets a varint field that has presence (a oneof member or an optional field): 0 is written. */
  public ProtoMessage putVarint(int number, long value) {
    return replace(number, new Field(number, VARINT, value, null, 0, 0));
  }

  /** Sets a string field (proto3: "" removes it). */
  public ProtoMessage setString(int number, String value) {
    return setBytes(number, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Sets a bytes field to a copy of {@code value} (proto3: empty removes it). */
  public ProtoMessage setBytes(int number, byte[] value) {
    return replace(number, value.length == 0 ? null : new Field(number, LEN, 0, value.clone(), 0, value.length));
  }

  /** Sets a message field to {@code m} (kept live, not copied). */
  public ProtoMessage setMessage(int number, ProtoMessage m) {
    return replace(number, Field.of(number, m));
  }

  /** Sets a packed repeated varint field (empty removes it). */
  public ProtoMessage setPackedVarints(int number, long[] values) {
    if (values.length == 0) {
      return clear(number);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long v : values) {
      writeVarint(out, v);
    }
    byte[] b = out.toByteArray();
    return replace(number, new Field(number, LEN, 0, b, 0, b.length));
  }

  /** Appends {@code m} to a repeated message field, after its last element (or in number order). */
  public ProtoMessage addMessage(int number, ProtoMessage m) {
    fields.add(appendAt(number), Field.of(number, m));
    return this;
  }

  /** Appends a string to a repeated string field. */
  public ProtoMessage addString(int number, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    fields.add(appendAt(number), new Field(number, LEN, 0, b, 0, b.length));
    return this;
  }

  /** Where the first occurrence was, else before the first field of a higher number. */
  private ProtoMessage replace(int number, Field field) {
    int at = -1;
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).number == number) {
        at = i;
        break;
      }
    }
    fields.removeIf(f -> f.number == number);
    if (field != null) {
      fields.add(at >= 0 ? at : insertAt(number), field);
    }
    return this;
  }

  private int insertAt(int number) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).number > number) {
        return i;
      }
    }
    return fields.size();
  }

  private int appendAt(int number) {
    for (int i = fields.size() - 1; i >= 0; i--) {
      if (fields.get(i).number == number) {
        return i + 1;
      }
    }
    return insertAt(number);
  }

  /** A deep copy (byte slices shared: they are never written to). */
  public ProtoMessage copy() {
    List<Field> out = new ArrayList<>(fields.size());
    for (Field f : fields) {
      if (f.message != null) {
        out.add(Field.of(f.number, f.message.copy()));
      } else {
        out.add(f);
      }
    }
    return new ProtoMessage(out, depth);
  }

  /** The serialized size in bytes. */
  public long serializedSize() {
    long n = 0;
    for (Field f : fields) {
      n += varintSize(((long) f.number << 3) | f.wireType);
      switch (f.wireType) {
        case VARINT -> n += varintSize(f.value);
        case I64 -> n += 8;
        case I32 -> n += 4;
        default -> {
          long len = f.message != null ? f.message.serializedSize() : f.length;
          n += varintSize(len) + len;
        }
      }
    }
    return n;
  }

  /**
   * The message serialized.
   *
   * @throws IllegalStateException past 2 GiB, protobuf's own limit
   */
  public byte[] toByteArray() {
    long size = serializedSize();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a protobuf message cannot exceed 2 GiB; this one has " + size + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    writeTo(out);
    return out.array();
  }

  private void writeTo(ByteBuffer out) {
    for (Field f : fields) {
      putVarint(out, ((long) f.number << 3) | f.wireType);
      switch (f.wireType) {
        case VARINT -> putVarint(out, f.value);
        case I64 -> out.order(ByteOrder.LITTLE_ENDIAN).putLong(f.value);
        case I32 -> out.order(ByteOrder.LITTLE_ENDIAN).putInt((int) f.value);
        default -> {
          if (f.message != null) {
            putVarint(out, f.message.serializedSize());
            f.message.writeTo(out);
          } else {
            putVarint(out, f.length);
            out.put(f.data, f.offset, f.length);
          }
        }
      }
    }
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private static void putVarint(ByteBuffer out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** Equal when both serialize to the same bytes. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ProtoMessage p && Arrays.equals(toByteArray(), p.toByteArray());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toByteArray());
  }
}
