package nnzip.io;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import java.io.OutputStream;
import nnzip.io.onnx.ChannelAxes;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.io.safetensors.SafetensorsModel;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.TensorSpec;
import nnzip.io.safetensors.SafetensorsReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An input model as the compress job sees it: its tensors' locations in source order, the
 * source's metadata, its byte size (for the compression ratio) and, for ONNX, the graph without
 * its weights.
 *
 * @param format {@code safetensors} or {@code onnx}
 * @param tensors every tensor, in source order
 * @param metadata the source's own metadata (safetensors {@code __metadata__})
 * @param sourceBytes total bytes of the source files
 * @param graph serialized ONNX model without weight data, or null
 * @param channelAxes output-channel axis by tensor name where the source tells it (ONNX operators);
 *     absent names use axis 0
 * @param files the files the model's bytes come from, in reading order (the safetensors file or
 *     shards; the ONNX file, then its external-data files): what the source digest covers
 * @param roles what tensors are to their consumers where the source tells it (ONNX operators);
 *     absent names are {@link WeightRole#WEIGHT}
 */
public record ModelSource(String format, List<StoredTensor> tensors, Map<String, String> metadata,
    long sourceBytes, byte[] graph, Map<String, Integer> channelAxes, List<String> files,
    Map<String, WeightRole> roles) {

  public ModelSource {
    files = List.copyOf(files);
    roles = Map.copyOf(roles);
  }

  /** A source whose tensors are all plain weights as far as it knows. */
  public ModelSource(String format, List<StoredTensor> tensors, Map<String, String> metadata, long sourceBytes,
      byte[] graph, Map<String, Integer> channelAxes, List<String> files) {
    this(format, tensors, metadata, sourceBytes, graph, channelAxes, files, Map.of());
  }

  /** A source whose files are not listed (tests that build a source by hand). */
  public ModelSource(String format, List<StoredTensor> tensors, Map<String, String> metadata, long sourceBytes,
      byte[] graph, Map<String, Integer> channelAxes) {
    this(format, tensors, metadata, sourceBytes, graph, channelAxes, List.of());
  }

  /** What a tensor is to its consumers ({@link WeightRole#WEIGHT} unless the source says otherwise). */
  public WeightRole role(String tensor) {
    return roles.getOrDefault(tensor, WeightRole.WEIGHT);
  }

  public static final String SAFETENSORS = "safetensors";
  public static final String ONNX = "onnx";

  /** The output-channel axis of a tensor (0 unless the source says otherwise). */
  public int channelAxis(String tensor) {
    return channelAxes.getOrDefault(tensor, 0);
  }

  /**
   * Opens a model, reading headers only for safetensors. An ONNX model's inline weights are first
   * copied into a safetensors file under {@code scratch}, so both formats go through the same job;
   * its external-data weights are read where they lie, so the scratch copy never exceeds the ONNX
   * file itself, however many weights share one external range.
   *
   * @throws InvalidInputException if the path is missing or not a readable model
   */
  public static ModelSource open(FileSystem fs, Path path, Path scratch) throws IOException {
    if (!fs.exists(path)) {
      throw new InvalidInputException("no such file: " + path);
    }
    String name = path.getName().toLowerCase(java.util.Locale.ROOT);
    if (name.endsWith(".onnx")) {
      return fromOnnx(fs, path, scratch);
    }
    SafetensorsModel model = SafetensorsModel.open(fs, path);
    Map<String, String> metadata = model.files().size() == 1
        ? SafetensorsReader.readHeader(fs, new Path(model.files().get(0))).metadata()
        : Map.of();
    return new ModelSource(SAFETENSORS, model.tensors(), metadata, model.fileBytes(), null, Map.of(), model.files());
  }

  /**
   * Copies an ONNX model's inline weights into one safetensors file under {@code scratch}; external
   * weights keep their file and offset. The source bytes count the ONNX file and each distinct
   * external range once (200 weights naming the same megabyte are a megabyte of source).
   */
  private static ModelSource fromOnnx(FileSystem fs, Path path, Path scratch) throws IOException {
    OnnxWeights weights = OnnxWeights.read(fs, path);
    List<OnnxWeight> inline = weights.list().stream().filter(w -> w.external() == null).toList();
    Path file = new Path(scratch, "onnx-weights.safetensors");
    FileSystem scratchFs = file.getFileSystem(fs.getConf());
    try (OutputStream out = scratchFs.create(file, true);
        SafetensorsWriter writer = new SafetensorsWriter(out, inline.stream().map(OnnxWeight::spec).toList(), Map.of())) {
      for (OnnxWeight w : inline) {
        writer.writeTensor(w.key(), weights.bytes(w.key()));
      }
      writer.finish();
    }
    Map<String, StoredTensor> copied = new java.util.HashMap<>();
    SafetensorsReader.tensors(scratchFs, file).forEach(t -> copied.put(t.spec().name(), t));
    List<StoredTensor> tensors = new java.util.ArrayList<>();
    java.util.Set<List<Object>> ranges = new java.util.HashSet<>();
    long external = 0;
    java.util.LinkedHashSet<String> files = new java.util.LinkedHashSet<>();
    files.add(path.toString());
    for (OnnxWeight w : weights.list()) {
      StoredTensor e = w.external();
      tensors.add(e != null ? e : copied.get(w.key()));
      if (e != null && ranges.add(List.of(e.file(), e.offset(), e.spec().byteSize()))) {
        external += e.spec().byteSize();
        files.add(e.file());
      }
    }
    return new ModelSource(ONNX, tensors, Map.of(), fs.getFileStatus(path).getLen() + external,
        weights.strippedBytes(), ChannelAxes.of(weights), List.copyOf(files), ChannelAxes.roles(weights));
  }
}
