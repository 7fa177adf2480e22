package nnzip.artifact;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.Digests;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Test surgery on format 3 artifacts: the same stored bytes under another manifest, its packed
 * header re-digested, so a test can hand the reader a header that is intact but lies.
 */
final class Format3Files {
  private Format3Files() {}

  /**
   * Writes {@code out}: {@code artifact}'s entries as they are, with {@code manifest} in a packed
   * header whose blob offsets are the original's (by key) and whose digests are recomputed.
   */
  static Path withManifest(FileSystem fs, Path artifact, Manifest manifest, java.nio.file.Path out) throws IOException {
    Artifact a = Artifact.open(fs, artifact);
    CompactLayout old = a.layout();
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (StoredEntry e : manifest.allEntries()) {
      Long at = old.blobOffsets().get(e.key());
      if (at != null) {
        offsets.put(e.key(), at);
      }
    }
    byte[] packed = CompactHeader.pack(manifest, a.provenance(),
        new CompactLayout(old.blobBytes(), old.blobSha256(), offsets, old.graphSha256(), old.inlineGraph()));
    SafetensorsHeader h = a.header();
    Map<String, String> meta = new LinkedHashMap<>(h.metadata());
    meta.put(Manifest.HEADER_DIGEST_KEY, Digests.hex(Digests.sha256(packed)));
    List<TensorSpec> specs = new ArrayList<>();
    for (TensorSpec s : h.specs()) {
      specs.add(s.name().equals(Manifest.PACKED_HEADER_KEY)
          ? new TensorSpec(s.name(), DType.U8, new long[] {packed.length}) : s);
    }
    try (OutputStream os = Files.newOutputStream(out); SafetensorsWriter w = new SafetensorsWriter(os, specs, meta)) {
      for (StoredTensor t : h.tensors(artifact.toString())) {
        w.writeTensor(t.spec().name(), t.spec().name().equals(Manifest.PACKED_HEADER_KEY) ? packed
            : SafetensorsReader.readTensor(fs, t).array());
      }
      w.finish();
    }
    return new Path(out.toUri());
  }

  /** True when {@code key} is a member of the artifact's blob. */
  static boolean inBlob(Artifact a, String key) {
    return a.layout().inBlob(key);
  }
}
