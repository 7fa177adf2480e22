package nnzip.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.artifact.Artifact;
import nnzip.artifact.Manifest;
import nnzip.artifact.StoredEntry;
import nnzip.artifact.TensorRecord;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;

/**
 * Where an artifact's bytes go, read from the artifact itself: its safetensors header, the header
 * entry, the deflated graph, the blob (split by what its members are) and the entries of their own,
 * so the parts add up to the file size. Beside them the ratio and the ideal ratio at b bits (issue
 * 15): source bytes / (b/8 byte per float weight + the non-float tensors' bytes + the graph without
 * weights, deflated), a bound no per-weight b-bit code with free side information can beat.
 */
public final class SideInfoBenchmark {
  /** What the figures mean, written into every report. */
  public static final Map<String, String> DEFINITIONS = definitions();

  private SideInfoBenchmark() {}

  private static Map<String, String> definitions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("ratio", "source file bytes / artifact file bytes");
    d.put("idealRatio", "source bytes / (bits/8 bytes per float weight + non-float tensor bytes + deflated graph"
        + " bytes), at idealBits: the recipe's bits (8 for the default recipe, 4 for dp-4bit)");
    d.put("ideal8Ratio", "the same at 8 bits");
    d.put("parts", "disjoint, summing to artifactBytes: safetensorsHeader (8-byte length and JSON), headerEntry"
        + " (deflated manifest, recipe, provenance, digests), graph (deflated ONNX graph without weights, as an entry of its own: 0 for current writers, which carry it inside the header entry), blob (small"
        + " entries packed together), params (per-tensor and shared codec parameters of their own), codeStreams (code"
        + " entries of their own), tensors (tensors stored as they are, of their own)");
    d.put("blob", "the blob's members by kind: tensors stored as they are, codec parameters, code streams");
    d.put("sideInformationBytes", "safetensorsHeader + headerEntry + graph + every codec parameter (in the blob"
        + " or not): all bytes but code streams and tensors stored as they are");
    return Map.copyOf(d);
  }

  /**
   * Measures one artifact.
   *
   * @param sourceBytes the source model's file bytes
   * @param idealBits bits per float weight of the ideal, 1..32
   * @return the report: sizes, ratios, parts (summing to the file size), blob members, side information
   * @throws IOException if reading the graph fails
   */
  public static Map<String, Object> measure(Artifact a, long sourceBytes, int idealBits) throws IOException {
    if (idealBits < 1 || idealBits > 32) {
      throw new IllegalArgumentException("idealBits must be in 1..32, got " + idealBits);
    }
    Manifest m = a.manifest();
    SafetensorsHeader header = a.header();
    long headerEntry = 0;
    long graph = 0;
    long blob = 0;
    long params = 0;
    long codes = 0;
    long tensors = 0;
    Map<String, StoredEntry> stored = new LinkedHashMap<>();
    for (StoredEntry e : m.allEntries()) {
      stored.put(e.key(), e);
    }
    for (StoredTensor t : header.tensors(a.file().toString())) {
      String key = t.spec().name();
      long bytes = t.spec().byteSize();
      if (key.equals(Manifest.PACKED_HEADER_KEY)) {
        headerEntry += bytes;
      } else if (key.equals(m.graphKey())) {
        graph += bytes;
      } else if (key.equals(Manifest.BLOB_KEY)) {
        blob += bytes;
      } else if (!stored.containsKey(key)) {
        throw new IllegalStateException(a.file() + ": entry '" + key + "' is not in the manifest");
      } else if (stored.get(key).isCodes()) {
        codes += bytes;
      } else if (stored.get(key).role().equals(StoredEntry.DATA)) {
        tensors += bytes;
      } else {
        params += bytes;
      }
    }
    long blobTensors = 0;
    long blobParams = 0;
    long blobCodes = 0;
    // Every manifest entry without a safetensors entry of its own is a blob member.
    for (StoredEntry e : m.allEntries()) {
      if (header.entry(e.key()).isPresent()) {
        continue;
      }
      if (e.isCodes()) {
        blobCodes += e.bytes();
      } else if (e.role().equals(StoredEntry.DATA)) {
        blobTensors += e.bytes();
      } else {
        blobParams += e.bytes();
      }
    }
    long floatWeights = 0;
    long nonFloatBytes = 0;
    for (TensorRecord t : m.tensors()) {
      if (t.spec().dtype().isFloating()) {
        floatWeights += t.spec().numElements();
      } else {
        nonFloatBytes += t.spec().byteSize();
      }
    }
    long deflatedGraph = m.graphKey() == null ? 0
        : m.graphKey().equals(Manifest.ONNX_GRAPH_DEFLATED_KEY) ? graph : nnzip.artifact.ArtifactWriter.deflate(a.graph()).length;

    Map<String, Object> r = new LinkedHashMap<>();
    long file = a.fileSize();
    r.put("sourceBytes", sourceBytes);
    r.put("artifactBytes", file);
    r.put("ratio", (double) sourceBytes / file);
    r.put("floatWeights", floatWeights);
    r.put("nonFloatTensorBytes", nonFloatBytes);
    r.put("deflatedGraphBytes", deflatedGraph);
    double ideal8 = (double) sourceBytes / (floatWeights + nonFloatBytes + deflatedGraph);
    double ideal = (double) sourceBytes / (floatWeights * idealBits / 8.0 + nonFloatBytes + deflatedGraph);
    r.put("ideal8Ratio", ideal8);
    r.put("ratioOverIdeal8", (double) sourceBytes / file / ideal8);
    r.put("idealBits", idealBits);
    r.put("idealRatio", ideal);
    r.put("ratioOverIdeal", (double) sourceBytes / file / ideal);
    Map<String, Long> parts = new LinkedHashMap<>();
    parts.put("safetensorsHeader", header.dataStart());
    parts.put("headerEntry", headerEntry);
    // Current writers carry the graph inside the header entry (graph key nnzip.header.graph): 0 here.
    parts.put("graph", graph);
    parts.put("blob", blob);
    parts.put("params", params);
    parts.put("codeStreams", codes);
    parts.put("tensors", tensors);
    r.put("parts", parts);
    Map<String, Long> members = new LinkedHashMap<>();
    members.put("tensors", blobTensors);
    members.put("params", blobParams);
    members.put("codeStreams", blobCodes);
    r.put("blob", members);
    long side = header.dataStart() + headerEntry + graph + params + blobParams;
    r.put("sideInformationBytes", side);
    r.put("sideInformationShare", (double) side / file);
    Map<String, Double> shares = new LinkedHashMap<>();
    parts.forEach((k, v) -> shares.put(k, (double) v / file));
    r.put("partShares", shares);
    return r;
  }

}
