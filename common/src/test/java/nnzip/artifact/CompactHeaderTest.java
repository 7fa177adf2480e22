package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import nnzip.Digests;
import nnzip.codec.CodecKind;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

/** The packed header spells only what it cannot imply, and reads back every key and digest as written. */
class CompactHeaderTest {
  private static String hex(int seed) {
    return Digests.hex(Digests.sha256(new byte[] {(byte) seed}));
  }

  private static Manifest manifest() {
    TensorSpec w = new TensorSpec("fc.weight", DType.F32, new long[] {4, 8});
    TensorSpec b = new TensorSpec("fc.bias", DType.F32, new long[] {4});
    TensorRecord coded = new TensorRecord(w, CodecKind.DP, 2, "global", 1, 0, List.of(new Chunk(128, null)), 0.125,
        0.5, List.of(new StoredEntry("fc.weight.codes", StoredEntry.CODES, List.of(new Chunk(8, hex(1)))),
            new StoredEntry("odd name", StoredEntry.HALF_PARAM_PREFIX + "extra", List.of(new Chunk(4, hex(2))))));
    TensorRecord kept = new TensorRecord(b, CodecKind.PASSTHROUGH, 0, null, 1, 0, List.of(new Chunk(16, hex(3))), 0, 0,
        List.of(new StoredEntry("fc.bias", StoredEntry.DATA, List.of(new Chunk(16, hex(3))))));
    List<StoredEntry> shared = List.of(new StoredEntry(Manifest.SHARED_PREFIX + "levels",
        StoredEntry.HALF_PARAM_PREFIX + "levels", List.of(new Chunk(8, hex(4)))));
    return new Manifest(Manifest.COMPACT_FORMAT_VERSION, "safetensors", Map.of(), null, List.of(coded, kept), shared);
  }

  @Test
  void keysAndDigestsRoundTripAndOnlyUnusualKeysAreSpelledOut() {
    Manifest m = manifest();
    Provenance p = new Provenance("1.0", "abc", "file:/m.safetensors", 144, hex(5), "bits = 2");
    byte[] packed = CompactHeader.pack(m, p, CompactLayout.NONE);
    CompactContents c = CompactHeader.unpack(packed, "test");
    assertEquals(p, c.provenance());
    assertEquals(m.shared(), c.manifest().shared());
    for (int i = 0; i < m.tensors().size(); i++) {
      assertEquals(m.tensors().get(i).entries(), c.manifest().tensors().get(i).entries());
    }
    String raw = new String(PackedHeader.inflate(packed, "test", "header"), StandardCharsets.ISO_8859_1);
    assertTrue(raw.contains("\"key\":\"odd name\""), raw);
    for (String implied : new String[] {"fc.weight.codes", "\"key\":\"fc.bias\"", Manifest.SHARED_PREFIX, hex(5)}) {
      assertFalse(raw.contains(implied), implied + " spelled out in " + raw);
    }
  }

  @Test
  void aSourceDigestThatIsNotHexStaysInTheJson() {
    Provenance p = new Provenance("1.0", "abc", "file:/m.safetensors", 0, "unknown", "");
    assertEquals(p, CompactHeader.unpack(CompactHeader.pack(manifest(), p, CompactLayout.NONE), "test")
        .provenance());
  }
}
