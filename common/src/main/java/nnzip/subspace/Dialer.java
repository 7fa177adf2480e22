package nnzip.subspace;

import java.io.IOException;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactRestorer;
import nnzip.io.onnx.OnnxProto;

/**
 * Reads a line out of an artifact through {@link ArtifactRestorer#toOnnxBytes}, the code path of
 * {@code decompress}, so every codec the artifact may use decodes the endpoints exactly as it
 * decodes any model.
 */
public final class Dialer {
  private Dialer() {}

  /**
   * The line stored in an artifact.
   *
   * @throws nnzip.InvalidInputException if the artifact holds no line (no ONNX graph, or a graph
   *     without a subspace descriptor), or is damaged
   */
  public static Line open(Artifact a) throws IOException {
    byte[] onnx = ArtifactRestorer.toOnnxBytes(a);
    return Line.of(OnnxProto.Model.parse(onnx, a.file() + ": the restored graph"), a.file().toString());
  }
}
