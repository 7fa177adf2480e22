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
 */
public record Manifest(
    int formatVersion,
    String sourceFormat,
    Map<String, String> sourceMetadata,
    String graphKey,
    List<TensorRecord> tensors) {

  public static final int FORMAT_VERSION = 1;
  public static final String METADATA_KEY = "nnzip.manifest";
  public static final String FORMAT_KEY = "nnzip.format";
  public static final String RECIPE_KEY = "nnzip.recipe";
  public static final String SOURCE_KEY = "nnzip.source";
  public static final String ONNX_GRAPH_KEY = "nnzip.onnx.graph";

  public Manifest {
    sourceMetadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sourceMetadata));
    tensors = List.copyOf(tensors);
  }

  /** Sum of original tensor bytes. */
  public long originalTensorBytes() {
    return tensors.stream().mapToLong(TensorRecord::originalBytes).sum();
  }

  /** Sum of stored tensor bytes (without header and graph). */
  public long storedTensorBytes() {
    return tensors.stream().mapToLong(TensorRecord::storedBytes).sum();
  }
}
