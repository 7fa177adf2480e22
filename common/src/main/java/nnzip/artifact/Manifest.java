package nnzip.artifact;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The artifact's table of contents, stored as JSON in the safetensors metadata under
 * {@value #METADATA_KEY}: every original tensor in source order with its codec and stored
 * entries, the source's own metadata, and (for ONNX sources) the key of the weightless graph.
 *
 * @param formatVersion artifact format version, see {@link #FORMAT_VERSION}
 * @param sourceFormat {@code safetensors} or {@code onnx}
 * @param sourceMetadata the source file's own metadata, restored on decompress
 * @param graphKey safetensors key of the ONNX graph without weights, or null
 * @param tensors every tensor of the source, in source order
 * @param shared codec parameters shared by every tensor of scope {@code global} (one codebook for
 *     the model), stored once; empty otherwise
 */
public record Manifest(
    int formatVersion,
    String sourceFormat,
    Map<String, String> sourceMetadata,
    String graphKey,
    List<TensorRecord> tensors,
    List<StoredEntry> shared) {

  public static final int FORMAT_VERSION = 1;
  /** Version of artifacts holding arithmetic-coded codes ({@link StoredEntry#CODES_CABAC}). */
  public static final int ENTROPY_FORMAT_VERSION = 2;
  /**
   * The version every artifact is written in now (readers keep reading 1 and 2): one deflated header
   * entry (manifest, recipe, provenance, binary SHA-256 digests), the graph always deflated and
   * digested, and small entries packed into one blob. See {@link CompactHeader}.
   */
  public static final int COMPACT_FORMAT_VERSION = 3;
  /** Key of format 3's blob: every entry of at most {@link ArtifactWriter#BLOB_ENTRY_LIMIT} bytes, concatenated. */
  public static final String BLOB_KEY = "nnzip.blob";
  /** Metadata key of format 3: lower-case hex SHA-256 of the packed header entry's bytes. */
  public static final String HEADER_DIGEST_KEY = "nnzip.header.sha256";
  public static final String METADATA_KEY = "nnzip.manifest";
  public static final String FORMAT_KEY = "nnzip.format";
  public static final String RECIPE_KEY = "nnzip.recipe";
  public static final String SOURCE_KEY = "nnzip.source";
  public static final String ONNX_GRAPH_KEY = "nnzip.onnx.graph";
  /** Key of the deflated ONNX graph (format 2, arithmetic-coded artifacts: names deflate to about half). */
  public static final String ONNX_GRAPH_DEFLATED_KEY = "nnzip.onnx.graph.deflate";
  /**
   * Graph key of format-3 artifacts that carry the ONNX graph inside the packed header entry, after
   * the digest table: one deflate stream for manifest and graph shares the tensor names both spell,
   * and the graph needs no safetensors entry and no digest of its own (the header's covers it).
   * Measured on transformer-1 and lenet5: see {@link CompactHeader}.
   */
  public static final String ONNX_GRAPH_IN_HEADER_KEY = "nnzip.header.graph";
  /**
   * Key of the entry that holds manifest and recipe, deflated, in format 2 artifacts: the JSON in the
   * safetensors header took a quarter of a small model's artifact.
   */
  public static final String PACKED_HEADER_KEY = "nnzip.header.deflate";

  public Manifest {
    sourceMetadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sourceMetadata));
    tensors = List.copyOf(tensors);
    shared = List.copyOf(shared);
  }

  /** A manifest without shared codec parameters. */
  public Manifest(int formatVersion, String sourceFormat, Map<String, String> sourceMetadata, String graphKey,
      List<TensorRecord> tensors) {
    this(formatVersion, sourceFormat, sourceMetadata, graphKey, tensors, List.of());
  }

  /** Scope label of tensors that use the shared parameters. */
  public static final String GLOBAL_SCOPE = "global";

  /** Key prefix of the shared parameters: {@code nnzip.codebook.<name>}. */
  public static final String SHARED_PREFIX = "nnzip.codebook.";

  /** Sum of original tensor bytes. */
  public long originalTensorBytes() {
    return tensors.stream().mapToLong(TensorRecord::originalBytes).sum();
  }

  /** Sum of stored tensor bytes, shared parameters included (without header and graph). */
  public long storedTensorBytes() {
    return tensors.stream().mapToLong(TensorRecord::storedBytes).sum() + shared.stream().mapToLong(StoredEntry::bytes).sum();
  }

  /** Every stored entry: shared parameters first, then each tensor's entries in order. */
  public List<StoredEntry> allEntries() {
    List<StoredEntry> all = new java.util.ArrayList<>(shared);
    tensors.forEach(t -> all.addAll(t.entries()));
    return all;
  }
}
