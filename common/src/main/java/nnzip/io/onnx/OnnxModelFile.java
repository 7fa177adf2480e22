package nnzip.io.onnx;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * Reads and writes ONNX model files ({@code ModelProto} protobuf) on any Hadoop file system. The
 * protobuf itself is limited to 2 GiB; larger models keep their weights in external data files,
 * which {@link OnnxWeights} resolves against the model's directory.
 */
public final class OnnxModelFile {
  /** Protobuf's hard limit on one message: 2 GiB − 1 bytes. */
  public static final long MAX_PROTO_BYTES = Integer.MAX_VALUE;

  private OnnxModelFile() {}

  /**
   * Reads the ONNX model a command was given, on any Hadoop path.
   *
   * @param purpose what the model is for, as the end of "X needs an ONNX model (…)"
   * @throws InvalidInputException if the path is missing or does not name an .onnx file
   */
  public static ModelProto readInput(String in, String purpose) throws IOException {
    Path source = nnzip.io.HadoopFiles.qualify(in);
    FileSystem fs = nnzip.io.HadoopFiles.fileSystem(source.toString());
    if (!fs.exists(source)) {
      throw new nnzip.InvalidInputException("no such file: " + source);
    }
    if (!source.getName().endsWith(".onnx")) {
      throw new nnzip.InvalidInputException(source + ": " + purpose);
    }
    return read(fs, source);
  }

  /**
   * Parses the model file at {@code path}, streaming it (no second copy of the file in memory).
   *
   * @param fs file system holding the model
   * @param path the {@code .onnx} file
   * @return the parsed model; external data is not read
   * @throws InvalidInputException if the file is missing, larger than 2 GiB, or not an ONNX model
   * @throws IOException if the file system fails
   */
  public static ModelProto read(FileSystem fs, Path path) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException("no such ONNX model file: " + path, e);
    }
    if (!status.isFile()) {
      throw new InvalidInputException("not an ONNX model: " + path + " is a directory");
    }
    if (status.getLen() > MAX_PROTO_BYTES) {
      throw new InvalidInputException("not an ONNX model: " + path + " has " + status.getLen()
          + " bytes, more than the protobuf limit of " + MAX_PROTO_BYTES);
    }
    try (FSDataInputStream in = fs.open(path)) {
      return parse(in, path.toString());
    }
  }

  /**
   * Parses a model held in memory.
   *
   * @param bytes a serialized {@code ModelProto}
   * @param what names the bytes in error messages (a path, "stripped graph", …)
   * @throws InvalidInputException if the bytes are not an ONNX model
   */
  public static ModelProto parse(byte[] bytes, String what) {
    try {
      return parse(new java.io.ByteArrayInputStream(bytes), what);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // cannot happen on an in-memory stream
    }
  }

  /**
   * Writes a model, replacing any file at {@code path}.
   *
   * @throws IOException if the file system fails
   */
  public static void write(FileSystem fs, Path path, ModelProto model) throws IOException {
    try (FSDataOutputStream out = fs.create(path, true)) {
      model.writeTo(out);
    }
  }

  /**
   * {@link OnnxWeightWriter#replace} for a parsed protobuf model (training, finetuning, pruning).
   *
   * @throws InvalidInputException if a weight has the wrong size or is not in the model
   */
  public static ModelProto replaceWeights(ModelProto model, java.util.Map<String, byte[]> weights) {
    OnnxProto.Model wire = new OnnxProto.Model(nnzip.io.protobuf.ProtoMessage.parse(model.toByteArray()));
    return parse(OnnxWeightWriter.replace(wire, weights).toByteArray(), "the model with its new weights");
  }

  private static ModelProto parse(InputStream in, String what) throws IOException {
    ModelProto model;
    try {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      model = ModelProto.parseFrom(coded);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException("not an ONNX model: " + what + " (" + e.getMessage() + ")", e);
    }
    // Protobuf accepts many byte strings as a message of unknown fields; a model has both of these.
    if (!model.hasGraph() || model.getIrVersion() <= 0) {
      throw new InvalidInputException("not an ONNX model: " + what + " (no graph or no ir_version)");
    }
    return model;
  }
}
